import type { BankingDeps } from '../banking-deps.js';
import { AccountNotFound } from '../errors.js';
import type { Account } from './account.js';
import { readThrough } from './account-cache.js';

export interface AccountQuery {
  readonly userId: string;
  readonly accountId: string;
}

/** One of the caller's accounts; another user's account is reported as not found. */
export class GetAccount {
  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'cache' | 'policy'>) {}

  async execute(query: AccountQuery): Promise<Account> {
    const account = await readThrough(this.deps, query.userId, `account:${query.accountId}`, async () => {
      const found = await this.deps.uow.read((store) => store.accounts.findById(query.accountId));
      return found?.ownerId === query.userId ? found : null;
    });
    if (account === null) throw new AccountNotFound();
    return account;
  }
}
