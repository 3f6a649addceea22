import type { Account } from '../accounts/account.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { IdempotencyRecord } from '../idempotency/idempotency-record.js';
import type { LedgerEntry } from '../ledger/ledger-entry.js';
import type { Transfer } from '../transfers/transfer.js';

/**
 * Everything one unit of work changes in the books, named in one value: the use case decides
 * it all, then hands it to the store with one call (`tx.movements.record(movement)`), which
 * writes it in the same transaction, together with the events that tell it.
 *
 * The store writes exactly what it is given and checks only what a database would (balances
 * not negative, unique keys, known accounts): that every change has its event is the use case's
 * job (`events/domain-event.ts` builds them). An account the movement updates must have been
 * locked first in the same unit of work (`tx.accounts.lockMany`), and appears once.
 *
 * To add a kind of change (holds, audit entries): add an optional field here, then each store's
 * writer refuses to compile until it writes it (their writers are typed against every key).
 */
export interface Movement {
  /** New accounts (an opening), inserted. */
  readonly openedAccounts?: readonly Account[];
  /** The new state (balance, status, version, updatedAt) of accounts locked by this unit of work. */
  readonly updatedAccounts?: readonly Account[];
  readonly transfers?: readonly Transfer[];
  /** Ledger lines, appended (never changed afterwards). */
  readonly ledgerLines?: readonly LedgerEntry[];
  /** The outcome recorded under the caller's Idempotency-Key: stored, or replacing an expired one. */
  readonly idempotencyRecord?: IdempotencyRecord;
  /** The events of this movement, written to the outbox with it: one per account change and per ledger line. */
  readonly events: readonly DomainEvent[];
}

/** What a use case decided inside its unit of work: the value it answers, and the movement that makes it true. */
export interface Decision<T> {
  readonly result: T;
  readonly movement: Movement;
}
