import type { Account, DomainEvent, IdempotencyRecord, LedgerEntry, Movement, MovementRecorder, Transfer } from '@banking/domain';
import type { Compilable, Kysely, QueryCreator } from 'kysely';
import type { DatabaseSchema } from './schema.js';
import type { SessionConnection } from './session-dialect.js';

/** One write of a movement, built on whatever the statement's query creator is (the database, or earlier CTEs). */
type Write = (db: QueryCreator<DatabaseSchema>) => Compilable;

/**
 * How each part of a movement is written, with Kysely's typed builder. Typed against every key of
 * Movement: a field added to it does not compile until it is written here.
 */
const WRITES: { readonly [K in keyof Required<Movement>]: (value: NonNullable<Movement[K]>) => Write[] } = {
  openedAccounts: (accounts) => (accounts.length === 0 ? [] : [(db) => db.insertInto('accounts').values(accounts.map(accountRow))]),
  updatedAccounts: (accounts) =>
    accounts.map(
      (account): Write =>
        (db) =>
          db
            .updateTable('accounts')
            .set({ balance: account.balance, status: account.status, version: account.version, updated_at: account.updatedAt })
            .where('id', '=', account.id),
    ),
  transfers: (transfers) => (transfers.length === 0 ? [] : [(db) => db.insertInto('transfers').values(transfers.map(transferRow))]),
  ledgerLines: (lines) => (lines.length === 0 ? [] : [(db) => db.insertInto('ledger_entries').values(lines.map(lineRow))]),
  idempotencyRecord: (record) => [
    (db) =>
      db
        .insertInto('idempotency_records')
        .values(recordRow(record))
        // Replaces an expired record under the same key; a live one is never overwritten because
        // the caller holds the claim and found none.
        .onConflict((oc) =>
          oc.columns(['user_id', 'key']).doUpdateSet((eb) => ({
            fingerprint: eb.ref('excluded.fingerprint'),
            outcome: eb.ref('excluded.outcome'),
            created_at: eb.ref('excluded.created_at'),
            expires_at: eb.ref('excluded.expires_at'),
          })),
        ),
  ],
  events: (events) => (events.length === 0 ? [] : [(db) => db.insertInto('outbox').values(events.map(eventRow))]),
};

/**
 * The movement as ONE statement: every write but the last as a data-modifying CTE (`with w0 as
 * (update accounts …), w1 as (insert into transfers …) insert into outbox …`). The parts touch
 * different rows, so their order does not matter; every constraint (CHECK balance >= 0, unique
 * keys, foreign keys, checked at the end of the statement) holds for the whole, and a violation
 * fails the statement, so the transaction. Undefined when the movement changes nothing.
 */
export function movementStatement(db: Kysely<DatabaseSchema>, movement: Movement): Compilable | undefined {
  const writes = (Object.keys(WRITES) as (keyof Movement)[]).flatMap((key) => {
    const value = movement[key];
    return value === undefined ? [] : (WRITES[key] as (v: unknown) => Write[])(value);
  });
  const last = writes.pop();
  if (last === undefined) return undefined;
  // Each `with` widens the creator's type with the CTE's name; none is read back, so the
  // creator is kept at the schema's type.
  const creator = writes.reduce<QueryCreator<DatabaseSchema>>(
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: a Compilable is not a CTE output type (TS2322 without it)
    (qb, write, i) => qb.with(`w${i}`, (cte) => write(cte) as never) as unknown as QueryCreator<DatabaseSchema>,
    db,
  );
  return last(creator);
}

/**
 * The movement recorder of one PostgreSQL unit of work: checks the movement, builds its
 * statement and hands it to the session, which writes it with the COMMIT (one round trip with
 * pipelining). Nothing may use the connection after it, so no read can miss the write.
 */
export class PostgresMovementWriter implements MovementRecorder {
  /** The events recorded, for the unit of work's subscribers once committed. */
  readonly events: DomainEvent[] = [];
  private recorded = false;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly session: SessionConnection,
    /** The ids `accounts.lockMany` returned in this unit of work. */
    private readonly locked: ReadonlySet<string>,
  ) {}

  record(movement: Movement): Promise<void> {
    // Nothing to await, but a refusal is still a rejection, as from any port method.
    return new Promise((resolve) => {
      if (this.recorded) throw new Error('a unit of work records one movement, last');
      this.recorded = true;
      // An account updated without its row lock could be written over a concurrent change (and an
      // unknown one would update nothing, silently): both are refused before anything is sent.
      const updated = (movement.updatedAccounts ?? []).map((a) => a.id);
      if (new Set(updated).size !== updated.length) throw new Error('a movement updates each account once');
      const unlocked = updated.filter((id) => !this.locked.has(id));
      if (unlocked.length > 0) throw new Error(`accounts not locked by this unit of work: ${unlocked.join(', ')}`);
      const statement = movementStatement(this.db, movement);
      this.session.deferToCommit(statement === undefined ? [] : [statement.compile()]);
      this.events.push(...movement.events);
      resolve();
    });
  }
}

function accountRow(account: Account) {
  return {
    id: account.id,
    number: account.number,
    owner_id: account.ownerId,
    type: account.type,
    status: account.status,
    currency: account.currency,
    balance: account.balance,
    version: account.version,
    created_at: account.createdAt,
    updated_at: account.updatedAt,
  };
}

function transferRow(t: Transfer) {
  return {
    id: t.id,
    from_account_id: t.fromAccountId,
    to_account_id: t.toAccountId,
    from_account_number: t.fromAccountNumber,
    to_account_number: t.toAccountNumber,
    amount: t.amount,
    currency: t.currency,
    description: t.description,
    from_balance_after: t.fromBalanceAfter,
    created_at: t.createdAt,
  };
}

function lineRow(e: LedgerEntry) {
  return {
    id: e.id,
    account_id: e.accountId,
    sequence: e.sequence,
    type: e.type,
    direction: e.direction,
    amount: e.amount,
    balance_after: e.balanceAfter,
    currency: e.currency,
    description: e.description,
    transfer_id: e.transferId,
    counterparty_account_number: e.counterpartyAccountNumber,
    created_at: e.createdAt,
  };
}

/** JSON columns are sent as text (both drivers pass a string through as is): stored exactly as the domain wrote it. */
function recordRow(r: IdempotencyRecord) {
  return {
    user_id: r.userId,
    key: r.key,
    fingerprint: r.fingerprint,
    outcome: JSON.stringify(r.outcome),
    created_at: r.createdAt,
    expires_at: r.expiresAt,
  };
}

function eventRow(e: DomainEvent) {
  return {
    id: e.id,
    account_id: e.accountId,
    sequence: e.sequence,
    owner_id: e.ownerId,
    type: e.type,
    version: e.version,
    occurred_at: e.occurredAt,
    payload: JSON.stringify(e.payload),
    dispatched_at: null,
  };
}
