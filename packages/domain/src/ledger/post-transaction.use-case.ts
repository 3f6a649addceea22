import { assertCanMoveMoney, credit, debit } from '../accounts/account.js';
import type { BankingDeps } from '../banking-deps.js';
import { AccountNotFound, ValidationFailed } from '../errors.js';
import { transactionPosted } from '../events/domain-event.js';
import { fingerprint, runIdempotent, type Idempotent } from '../idempotency/run-idempotent.js';
import { parseAmount } from '../money.js';
import { parseDescription } from './description.js';
import type { LedgerEntry } from './ledger-entry.js';

export const CASH_TYPES = ['DEPOT', 'RETRAIT'] as const;
export type CashType = (typeof CASH_TYPES)[number];

export interface PostTransactionCommand {
  readonly userId: string;
  readonly accountId: string;
  /** DEPOT (deposit) or RETRAIT (withdrawal). */
  readonly type: string;
  /** A JSON number or a decimal string, in the account's currency. */
  readonly amount: unknown;
  readonly description?: string | null | undefined;
  readonly idempotencyKey?: string | undefined;
}

/** A deposit or a withdrawal on one of the caller's accounts. */
export class PostTransaction {
  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'clock' | 'ids' | 'policy'>) {}

  async execute(command: PostTransactionCommand): Promise<Idempotent<LedgerEntry>> {
    if (!CASH_TYPES.includes(command.type as CashType)) {
      throw ValidationFailed.field('type', `must be one of ${CASH_TYPES.join(', ')}`);
    }
    const type = command.type as CashType;
    const description = parseDescription(command.description);
    const scope = {
      userId: command.userId,
      key: command.idempotencyKey,
      fingerprint: fingerprint('post-transaction', {
        accountId: command.accountId,
        type,
        amount: String(command.amount),
        description,
      }),
    };
    return runIdempotent(this.deps, scope, async (tx, now) => {
      const [account] = await tx.accounts.lockMany([command.accountId]);
      if (account === undefined || account.ownerId !== command.userId) throw new AccountNotFound();
      assertCanMoveMoney(account);
      const amount = parseAmount(command.amount, account.currency, this.deps.policy);
      const updated = type === 'DEPOT' ? credit(account, amount, now) : debit(account, amount, now);
      const entry: LedgerEntry = {
        id: this.deps.ids.newId(),
        accountId: account.id,
        sequence: updated.version,
        type,
        direction: type === 'DEPOT' ? 'CREDIT' : 'DEBIT',
        amount: amount.minor,
        currency: account.currency,
        balanceAfter: updated.balance,
        description,
        transferId: null,
        counterpartyAccountNumber: null,
        createdAt: now,
      };
      return {
        result: entry,
        movement: {
          updatedAccounts: [updated],
          ledgerLines: [entry],
          events: [transactionPosted(this.deps.ids.newId(), entry, account.ownerId)],
        },
      };
    });
  }
}
