import { assertCanMoveMoney, credit, debit } from '../accounts/account.js';
import type { BankingDeps } from '../banking-deps.js';
import { AccountNotFound, CurrencyMismatch, SameAccountTransfer } from '../errors.js';
import { transactionPosted } from '../events/domain-event.js';
import { fingerprint, runIdempotent, type Idempotent } from '../idempotency/run-idempotent.js';
import type { LedgerEntry } from '../ledger/ledger-entry.js';
import { parseDescription } from '../ledger/description.js';
import { parseAmount } from '../money.js';
import type { Transfer } from './transfer.js';

export interface TransferMoneyCommand {
  readonly userId: string;
  /** Must be one of the caller's accounts. */
  readonly fromAccountId: string;
  /** Anyone's account, by number. */
  readonly toAccountNumber: string;
  readonly amount: unknown;
  readonly description?: string | null | undefined;
  readonly idempotencyKey?: string | undefined;
}

/**
 * Moves money between two accounts of the same currency in one unit of work: both balances,
 * a DEBIT line on the source and a CREDIT line on the destination, and the transfer record.
 */
export class TransferMoney {
  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'clock' | 'ids' | 'policy'>) {}

  async execute(command: TransferMoneyCommand): Promise<Idempotent<Transfer>> {
    const description = parseDescription(command.description);
    const scope = {
      userId: command.userId,
      key: command.idempotencyKey,
      fingerprint: fingerprint('transfer', {
        fromAccountId: command.fromAccountId,
        toAccountNumber: command.toAccountNumber,
        amount: String(command.amount),
        description,
      }),
    };
    return runIdempotent(this.deps, scope, async (tx, now) => {
      // Both sides locked in one statement, the destination by its number.
      const locked = await tx.accounts.lockMany([command.fromAccountId], [command.toAccountNumber]);
      const from = locked.find((a) => a.id === command.fromAccountId);
      const to = locked.find((a) => a.number === command.toAccountNumber);
      if (from === undefined || from.ownerId !== command.userId) throw new AccountNotFound();
      if (to === undefined) throw new AccountNotFound();
      if (from.id === to.id) throw new SameAccountTransfer();
      assertCanMoveMoney(from);
      assertCanMoveMoney(to);
      if (from.currency !== to.currency) throw new CurrencyMismatch(from.currency, to.currency);
      const amount = parseAmount(command.amount, from.currency, this.deps.policy);
      const debited = debit(from, amount, now);
      const credited = credit(to, amount, now);

      const transfer: Transfer = {
        id: this.deps.ids.newId(),
        fromAccountId: from.id,
        toAccountId: to.id,
        fromAccountNumber: from.number,
        toAccountNumber: to.number,
        amount: amount.minor,
        currency: from.currency,
        description,
        fromBalanceAfter: debited.balance,
        createdAt: now,
      };
      const line = (direction: 'DEBIT' | 'CREDIT', account: typeof debited, counterparty: string): LedgerEntry => ({
        id: this.deps.ids.newId(),
        accountId: account.id,
        sequence: account.version,
        type: 'VIREMENT',
        direction,
        amount: amount.minor,
        currency: account.currency,
        balanceAfter: account.balance,
        description,
        transferId: transfer.id,
        counterpartyAccountNumber: counterparty,
        createdAt: now,
      });
      const debitLine = line('DEBIT', debited, to.number);
      const creditLine = line('CREDIT', credited, from.number);
      return {
        result: transfer,
        movement: {
          updatedAccounts: [debited, credited],
          transfers: [transfer],
          ledgerLines: [debitLine, creditLine],
          // One event per line, each to its own account's owner.
          events: [
            transactionPosted(this.deps.ids.newId(), debitLine, from.ownerId),
            transactionPosted(this.deps.ids.newId(), creditLine, to.ownerId),
          ],
        },
      };
    });
  }
}
