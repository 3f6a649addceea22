import type { Account, DomainEvent, IdempotencyRecord, LedgerEntry, RefreshToken, Session, Transfer, User } from '@banking/domain';

/** Everything the in-memory database holds; cloned whole for a unit of work's rollback snapshot. */
export interface MemoryState {
  users: Map<string, User>;
  accounts: Map<string, Account>;
  ledger: LedgerEntry[];
  transfers: Map<string, Transfer>;
  idempotency: Map<string, IdempotencyRecord>;
  sessions: Map<string, Session>;
  tokens: Map<string, RefreshToken>;
  /** The outbox: every recorded event, in commit order (units of work are serialised). */
  outbox: DomainEvent[];
}

export function emptyState(): MemoryState {
  return {
    users: new Map(),
    accounts: new Map(),
    ledger: [],
    transfers: new Map(),
    idempotency: new Map(),
    sessions: new Map(),
    tokens: new Map(),
    outbox: [],
  };
}
