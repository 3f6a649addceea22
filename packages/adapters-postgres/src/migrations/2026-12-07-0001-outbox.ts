import { sql, type Kysely } from 'kysely';

// The transactional outbox: one row per domain event, inserted by the movement writer in the
// same statement (so the same transaction) as the change it tells, read later by the relays that
// deliver events (webhooks, the broker) at least once.
//
// Ordering: (account_id, sequence) is the primary key, and `sequence` is the account's version
// after the change. Every change to an account bumps its version under the account's row lock and tells
// exactly one event, so one account's events are gapless (1, 2, 3, …) and their sequence order
// is their commit order: a transaction that commits later on the same account waited for the
// lock and saw the earlier one's version. A relay delivers each account's events by sequence;
// nothing depends on a global order, so a transaction that commits late cannot hide an event
// behind a high-water mark.
//
// Delivery state: `dispatched_at` stays null until a relay has handed the event on. Several
// relays can work at once by claiming, with FOR UPDATE SKIP LOCKED, the oldest undispatched
// event of each account whose earlier events are all dispatched; the index that query needs
// (on (account_id, sequence) where dispatched_at is null) comes with the relay.
//
// The event's `id` (a random UUID made by the domain, what consumers deduplicate by) is stored
// but not indexed: relays find events by (account_id, sequence), and an index of random UUIDs is
// the costliest kind to insert into (each event a random page). Nor are there foreign keys: the
// rows an event names are written in the same statement and never deleted (accounts are closed,
// not removed), the payload carries everything a relay needs, and a foreign-key check per event
// would cost every movement a lookup.
//
// Frozen history: never edited once shipped (see the initial migration).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('account_id', 'uuid', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('owner_id', 'uuid', (c) => c.notNull())
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('version', 'smallint', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    // json, not jsonb: stored as written, and nothing queries inside it.
    .addColumn('payload', 'json', (c) => c.notNull())
    .addColumn('dispatched_at', 'timestamptz')
    .addPrimaryKeyConstraint('outbox_pkey', ['account_id', 'sequence'])
    .addCheckConstraint('outbox_sequence_positive', sql`sequence >= 1`)
    .addCheckConstraint('outbox_version_positive', sql`version >= 1`)
    .addCheckConstraint('outbox_type_known', sql`type ~ '^bank\\.[a-z]+\\.[a-z_]+$'`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('outbox').execute();
}
