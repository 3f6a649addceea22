import type { BankingDeps } from '../banking-deps.js';
import { DEFAULT_CURRENCY, isCurrencyCode } from '../currency.js';
import { AccountLimitReached, UserNotFound, ValidationFailed } from '../errors.js';
import { accountEvent } from '../events/domain-event.js';
import { timestamp } from '../shared/timestamp.js';
import { ACCOUNT_NUMBER_LENGTH, ACCOUNT_TYPES, type Account, type AccountType } from './account.js';

export interface OpenAccountCommand {
  readonly userId: string;
  readonly type: string;
  /** ISO 4217 code; HTG when absent. */
  readonly currency?: string | undefined;
}

export class OpenAccount {
  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'clock' | 'ids' | 'random' | 'policy'>) {}

  async execute(command: OpenAccountCommand): Promise<Account> {
    const currency = command.currency ?? DEFAULT_CURRENCY;
    const errors = [];
    if (!ACCOUNT_TYPES.includes(command.type as AccountType)) {
      errors.push({ field: 'account_type', message: `must be one of ${ACCOUNT_TYPES.join(', ')}` });
    }
    if (!isCurrencyCode(currency)) errors.push({ field: 'currency', message: 'must be a supported ISO 4217 currency code' });
    if (errors.length > 0 || !isCurrencyCode(currency)) throw new ValidationFailed(errors);

    return this.deps.uow.run(async (tx) => {
      // The owner's row lock serialises concurrent openings, so the count below stays true.
      await tx.users.lock(command.userId);
      if (!(await tx.users.findById(command.userId))) throw new UserNotFound();
      const limit = this.deps.policy.maxOpenAccountsPerUser;
      if ((await tx.accounts.countOpenByOwner(command.userId)) >= limit) throw new AccountLimitReached(limit);
      const now = timestamp(this.deps.clock.now());
      const account: Account = {
        id: this.deps.ids.newId(),
        number: await this.freeNumber((n) => tx.accounts.findByNumber(n)),
        ownerId: command.userId,
        type: command.type as AccountType,
        currency,
        balance: 0,
        status: 'ACTIVE',
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await tx.movements.record({
        openedAccounts: [account],
        events: [accountEvent(this.deps.ids.newId(), 'bank.account.opened', account)],
      });
      return account;
    });
  }

  private async freeNumber(find: (number: string) => Promise<Account | undefined>): Promise<string> {
    for (;;) {
      const number = this.deps.random.digits(ACCOUNT_NUMBER_LENGTH);
      if ((await find(number)) === undefined) return number;
    }
  }
}
