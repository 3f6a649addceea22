import type { BankingDeps } from '../banking-deps.js';
import { AccountNotFound } from '../errors.js';
import { accountEvent, type AccountEventType } from '../events/domain-event.js';
import { timestamp, type Timestamp } from '../shared/timestamp.js';
import { close, freeze, unfreeze, type Account } from './account.js';
import type { AccountQuery } from './get-account.use-case.js';

type Transition = (account: Account, at: Timestamp) => Account;

/** Applies one status transition to one of the caller's accounts, under its row lock. */
abstract class ChangeAccountStatus {
  protected abstract readonly transition: Transition;
  protected abstract readonly event: AccountEventType;

  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'clock' | 'ids'>) {}

  async execute(query: AccountQuery): Promise<Account> {
    return this.deps.uow.run(async (tx) => {
      const [account] = await tx.accounts.lockMany([query.accountId]);
      if (account === undefined || account.ownerId !== query.userId) throw new AccountNotFound();
      const changed = this.transition(account, timestamp(this.deps.clock.now()));
      await tx.movements.record({
        updatedAccounts: [changed],
        events: [accountEvent(this.deps.ids.newId(), this.event, changed)],
      });
      return changed;
    });
  }
}

/** ACTIVE → FROZEN: no money moves in or out until unfrozen. */
export class FreezeAccount extends ChangeAccountStatus {
  protected readonly transition = freeze;
  protected readonly event = 'bank.account.frozen';
}

/** FROZEN → ACTIVE. */
export class UnfreezeAccount extends ChangeAccountStatus {
  protected readonly transition = unfreeze;
  protected readonly event = 'bank.account.unfrozen';
}

/** → CLOSED at a zero balance; the account and its history are kept. */
export class CloseAccount extends ChangeAccountStatus {
  protected readonly transition = close;
  protected readonly event = 'bank.account.closed';
}
