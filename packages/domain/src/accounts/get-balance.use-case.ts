import type { BankingDeps } from '../banking-deps.js';
import type { CurrencyCode } from '../currency.js';
import { timestamp, type Timestamp } from '../shared/timestamp.js';
import { GetAccount, type AccountQuery } from './get-account.use-case.js';

export interface Balance {
  readonly accountId: string;
  readonly accountNumber: string;
  /** Minor units. */
  readonly balance: number;
  readonly currency: CurrencyCode;
  readonly asOf: Timestamp;
}

export class GetBalance {
  private readonly getAccount: GetAccount;

  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'cache' | 'clock' | 'policy'>) {
    this.getAccount = new GetAccount(deps);
  }

  async execute(query: AccountQuery): Promise<Balance> {
    const account = await this.getAccount.execute(query);
    return {
      accountId: account.id,
      accountNumber: account.number,
      balance: account.balance,
      currency: account.currency,
      asOf: timestamp(this.deps.clock.now()),
    };
  }
}
