import type { Account } from '../accounts/account.js';
import type { LedgerEntry } from '../ledger/ledger-entry.js';
import type { Timestamp } from '../shared/timestamp.js';

/**
 * A fact about one account, written to the outbox in the same transaction as the change it
 * tells (see `Movement`), and later delivered at least once (webhooks, broker). It carries all a
 * relay needs to build the contract's CloudEvents envelope without reading any other table:
 *
 *   { specversion: "1.0", id, source: "/banking-api", type, subject: accountId,
 *     time: occurredAt, datacontenttype: "application/json", data: <payload as the API shows it> }
 *
 * `payload` is the domain's own value (the Account, or the ledger line), which the HTTP adapter's
 * presenters turn into the contract's Account or Transaction. An event belongs to the account's
 * owner (`ownerId`: whose webhooks receive it) and carries only what that owner may read.
 */
interface EventOf<Type extends string, Payload> {
  /** A UUID, unique per event: consumers deduplicate by it. */
  readonly id: string;
  readonly type: Type;
  /** Version of this type's payload shape. Adding a field keeps it; renaming or removing one bumps it. */
  readonly version: 1;
  /** The account the event is about (the CloudEvents `subject`). */
  readonly accountId: string;
  /**
   * The account's version right after this change. Every event of an account is one version of
   * it (each change bumps `Account.version` by one and tells one event), taken under the
   * account's row lock, so one account's events sort in commit order by it.
   */
  readonly sequence: number;
  /** The account's owner: the only user the event may be shown to. */
  readonly ownerId: string;
  readonly occurredAt: Timestamp;
  readonly payload: Payload;
}

export const ACCOUNT_EVENT_TYPES = ['bank.account.opened', 'bank.account.frozen', 'bank.account.unfrozen', 'bank.account.closed'] as const;
export type AccountEventType = (typeof ACCOUNT_EVENT_TYPES)[number];

/** The account changed: opened, frozen, unfrozen or closed. Payload: the account after the change. */
export type AccountEvent = EventOf<AccountEventType, Account>;

/** One ledger line committed (a transfer gives two, one per account). Payload: the line. */
export type TransactionPosted = EventOf<'bank.transaction.posted', LedgerEntry>;

export type DomainEvent = AccountEvent | TransactionPosted;
export type EventType = DomainEvent['type'];

export const EVENT_TYPES: readonly EventType[] = [...ACCOUNT_EVENT_TYPES, 'bank.transaction.posted'];

/** An account event about `account` as it is after the change (its version orders the event). */
export function accountEvent(id: string, type: AccountEventType, account: Account): AccountEvent {
  return {
    id,
    type,
    version: 1,
    accountId: account.id,
    sequence: account.version,
    ownerId: account.ownerId,
    occurredAt: account.updatedAt,
    payload: account,
  };
}

/** The event of a ledger line of an account owned by `ownerId` (the line's sequence is its account's version). */
export function transactionPosted(id: string, entry: LedgerEntry, ownerId: string): TransactionPosted {
  return {
    id,
    type: 'bank.transaction.posted',
    version: 1,
    accountId: entry.accountId,
    sequence: entry.sequence,
    ownerId,
    occurredAt: entry.createdAt,
    payload: entry,
  };
}

/** The owners an event batch concerns, each once. */
export function ownersOf(events: readonly DomainEvent[]): string[] {
  return [...new Set(events.map((e) => e.ownerId))];
}
