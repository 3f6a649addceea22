import type { ColumnType } from 'kysely';

/**
 * The tables as Kysely sees them. BIGINT columns are read back as strings by `pg` (and as
 * numbers or bigints by PGlite), timestamptz as Date: `columns.ts` turns them into the domain's
 * safe integers and ISO strings, once. No column is Generated<>: every id, timestamp, balance and
 * version is made by the domain, so a row written here is exactly the row the in-memory twin keeps.
 */
type BigIntColumn = ColumnType<string | number | bigint, number, number>;
type Timestamptz = ColumnType<Date | string, string, string>;
type NullableTimestamptz = ColumnType<Date | string | null, string | null, string | null>;
type Json = ColumnType<unknown, string, string>;

export interface UsersTable {
  id: string;
  email: string;
  full_name: string;
  password_hash: string;
  created_at: Timestamptz;
}

export interface AccountsTable {
  id: string;
  number: string;
  owner_id: string;
  type: string;
  status: string;
  currency: string;
  balance: BigIntColumn;
  version: number;
  created_at: Timestamptz;
  updated_at: Timestamptz;
}

export interface TransfersTable {
  id: string;
  from_account_id: string;
  to_account_id: string;
  from_account_number: string;
  to_account_number: string;
  amount: BigIntColumn;
  currency: string;
  description: string | null;
  from_balance_after: BigIntColumn;
  created_at: Timestamptz;
}

export interface LedgerEntriesTable {
  id: string;
  account_id: string;
  sequence: number;
  type: string;
  direction: string;
  amount: BigIntColumn;
  balance_after: BigIntColumn;
  currency: string;
  description: string | null;
  transfer_id: string | null;
  counterparty_account_number: string | null;
  created_at: Timestamptz;
}

export interface IdempotencyRecordsTable {
  user_id: string;
  key: string;
  fingerprint: string;
  outcome: Json;
  created_at: Timestamptz;
  expires_at: Timestamptz;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: Timestamptz;
  revoked_at: NullableTimestamptz;
}

export interface RefreshTokensTable {
  digest: string;
  session_id: string;
  parent_digest: string | null;
  issued_at: Timestamptz;
  expires_at: Timestamptz;
  rotated_at: NullableTimestamptz;
}

export interface OutboxTable {
  id: string;
  account_id: string;
  /** The account's version after the change: one account's events in commit order. */
  sequence: number;
  owner_id: string;
  type: string;
  /** The event type's payload version. */
  version: number;
  occurred_at: Timestamptz;
  payload: Json;
  /** Null until a relay has handed the event on. */
  dispatched_at: NullableTimestamptz;
}

/** Kysely's own bookkeeping is left out: migrations manage it. */
export interface DatabaseSchema {
  users: UsersTable;
  accounts: AccountsTable;
  transfers: TransfersTable;
  ledger_entries: LedgerEntriesTable;
  idempotency_records: IdempotencyRecordsTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  outbox: OutboxTable;
}
