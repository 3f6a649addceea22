import { randomUUID } from 'node:crypto';
import { accountEvent } from '@banking/domain';
import { aLedgerEntry, anAccount, anIdempotencyRecord, aTransfer, aUser, storeContract } from '@banking/testing';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import {
  DatabaseUnavailable,
  migrateDown,
  migrateToLatest,
  openDatabase,
  verifyLedger,
  type Database,
  type DatabaseOptions,
} from '../src/index.js';
import { expiredRecordsDeletion } from '../src/repositories/idempotency.repository.js';
import { bankOn } from './support/bank.js';
import { freshDatabase, requireServer } from './support/databases.js';

await requireServer();

/** A migrated database of its own on the shared server, closed and dropped at the test's end. */
async function serverDatabase(t: Test, options: Partial<DatabaseOptions> = {}): Promise<Database> {
  const { url } = await freshDatabase(t);
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', ...options });
  // Registered after the drop: teardowns run last-in first-out, so the pool closes first.
  t.teardown(() => database.close().catch(() => {}));
  return database;
}

await t.test('the store contract, on PostgreSQL', async (t) => {
  const database = await serverDatabase(t);
  t.equal(database.kind, 'postgres');
  await storeContract(t, () => Promise.resolve({ uow: database.uow, close: () => Promise.resolve() }));
});

await t.test('BIGINT columns that do not fit a safe integer are refused loudly, never rounded', async (t) => {
  const database = await serverDatabase(t);
  const user = aUser();
  const account = anAccount({ ownerId: user.id, balance: 1 });
  await database.uow.run(async (tx) => {
    await tx.users.insert(user);
    await tx.movements.record({ openedAccounts: [account], events: [] });
  });
  await sql`update accounts set balance = 9007199254740993 where id = ${account.id}`.execute(database.db);
  await t.rejects(
    database.uow.run((tx) => tx.accounts.findById(account.id)),
    { name: 'RangeError', message: /accounts\.balance holds 9007199254740993/ },
  );
});

await t.test('the unit of work re-runs work after a deadlock or serialisation failure, and only then', async (t) => {
  const database = await serverDatabase(t);
  const transient = (code: string) => Object.assign(new Error(`simulated ${code}`), { code });

  let runs = 0;
  const user = aUser();
  const value = await database.uow.run(async (tx) => {
    runs++;
    await tx.users.insert({ ...user, fullName: `attempt ${runs}` });
    if (runs === 1) throw transient('40P01');
    if (runs === 2) throw transient('40001');
    return 'committed';
  });
  t.equal(value, 'committed');
  t.equal(runs, 3, 'two transient failures, then success');
  t.equal((await database.uow.run((tx) => tx.users.findById(user.id)))?.fullName, 'attempt 3', 'only the last attempt is committed');

  runs = 0;
  const heard: string[][] = [];
  const unsubscribe = database.uow.subscribe((events) => void heard.push(events.map((e) => e.payload.id)));
  const attempts: string[] = [];
  await database.uow.run(async (tx) => {
    runs++;
    const account = anAccount({ ownerId: user.id, version: 1 });
    attempts.push(account.id);
    await tx.users.lock(user.id);
    if (runs === 1) throw transient('40P01');
    await tx.movements.record({ openedAccounts: [account], events: [accountEvent(randomUUID(), 'bank.account.opened', account)] });
  });
  unsubscribe();
  t.same(heard, [[attempts[1]]], 'subscribers hear the events of the attempt that committed, never of a rolled-back one');

  // Two openings drawing the same random account number: the loser re-runs and draws again.
  const taken = anAccount({ ownerId: user.id });
  await database.uow.run((tx) => tx.movements.record({ openedAccounts: [taken], events: [] }));
  runs = 0;
  const opened = await database.uow.run(async (tx) => {
    runs++;
    const account = anAccount({ ownerId: user.id, ...(runs === 1 && { number: taken.number }) });
    await tx.movements.record({ openedAccounts: [account], events: [] });
    return account;
  });
  t.equal(runs, 2, 'a duplicate account number is retried');
  t.not(opened.number, taken.number);

  runs = 0;
  await t.rejects(
    database.uow.run(() => {
      runs++;
      return Promise.reject(Object.assign(new Error('unique'), { code: '23505', constraint: 'users_email_key' }));
    }),
    { code: '23505' },
  );
  t.equal(runs, 1, 'other errors are not retried');

  runs = 0;
  await t.rejects(
    database.uow.run(() => {
      runs++;
      return Promise.reject(transient('40P01'));
    }),
    { code: '40P01' },
  );
  t.equal(runs, 10, 'a failure that keeps coming back is given up after a bounded number of attempts');
});

await t.test('a real deadlock between two units of work is retried, not surfaced', async (t) => {
  const database = await serverDatabase(t);
  const owner = aUser();
  const a = anAccount({ ownerId: owner.id, balance: 100 });
  const b = anAccount({ ownerId: owner.id, balance: 100 });
  await database.uow.run(async (tx) => {
    await tx.users.insert(owner);
    await tx.movements.record({ openedAccounts: [a, b], events: [] });
  });
  // Locking one row at a time in opposite orders (what lockMany exists to prevent) deadlocks;
  // PostgreSQL aborts one side with 40P01 and the unit of work runs it again.
  let attempts = 0;
  let release = () => {};
  const barrier = new Promise<void>((resolve) => (release = resolve));
  let arrived = 0;
  const lockBoth = (first: string, second: string) =>
    database.uow.run(async (tx) => {
      attempts++;
      await tx.accounts.lockMany([first]);
      if (++arrived === 2) release();
      await barrier;
      await tx.accounts.lockMany([second]);
      return 'done';
    });
  t.same(await Promise.all([lockBoth(a.id, b.id), lockBoth(b.id, a.id)]), ['done', 'done']);
  t.ok(attempts >= 3, `one side was re-run (${attempts} attempts)`);
});

await t.test('after-commit subscriber failures go to onHookError and never reject run', async (t) => {
  const reported: unknown[] = [];
  const database = await serverDatabase(t, { onHookError: (error) => reported.push(error) });
  const failure = new Error('cache down');
  database.uow.subscribe(() => {
    throw failure;
  });
  const user = aUser();
  const account = anAccount({ ownerId: user.id, version: 1 });
  const result = await database.uow.run(async (tx) => {
    await tx.users.insert(user);
    await tx.movements.record({ openedAccounts: [account], events: [accountEvent(randomUUID(), 'bank.account.opened', account)] });
    return 1;
  });
  t.equal(result, 1);
  t.same(reported, [failure]);
});

await t.test('verifyLedger: clean on sound data, and names each broken invariant', async (t) => {
  const database = await serverDatabase(t);
  const owner = aUser();
  const a = anAccount({ ownerId: owner.id, balance: 700, version: 3 });
  const b = anAccount({ ownerId: owner.id, balance: 300, version: 2 });
  const transfer = aTransfer({ fromAccountId: a.id, toAccountId: b.id, fromAccountNumber: a.number, toAccountNumber: b.number, amount: 300, fromBalanceAfter: 700 });
  const viaTransfer = { type: 'VIREMENT', amount: 300, transferId: transfer.id } as const;
  await database.uow.run(async (tx) => {
    await tx.users.insert(owner);
    await tx.movements.record({
      openedAccounts: [a, b],
      transfers: [transfer],
      ledgerLines: [
        aLedgerEntry({ accountId: a.id, sequence: 1, amount: 1000, balanceAfter: 1000 }),
        aLedgerEntry({ accountId: a.id, sequence: 3, direction: 'DEBIT', balanceAfter: 700, counterpartyAccountNumber: b.number, ...viaTransfer }),
        aLedgerEntry({ accountId: b.id, sequence: 2, direction: 'CREDIT', balanceAfter: 300, counterpartyAccountNumber: a.number, ...viaTransfer }),
      ],
      events: [],
    });
  });
  t.same(await verifyLedger(database), [], 'sound: no violation');

  // Break things behind the adapter's back, the way a bug or a manual fix would.
  await sql`update accounts set balance = balance + 5 where id = ${a.id}`.execute(database.db);
  await sql`update ledger_entries set balance_after = 299 where account_id = ${b.id}`.execute(database.db);
  const orphan = aTransfer({ fromAccountId: b.id, toAccountId: a.id, fromAccountNumber: b.number, toAccountNumber: a.number, amount: 1, fromBalanceAfter: 0 });
  await database.uow.run((tx) => tx.movements.record({ transfers: [orphan], events: [] }));
  const violations = await verifyLedger(database.db);
  const checks = violations.map((v) => v.check);
  t.ok(checks.includes('balance_matches_lines'), 'a balance that is not the sum of its lines');
  t.ok(checks.includes('balance_after_chain'), 'a balance_after that does not follow the previous line');
  t.ok(checks.includes('transfer_legs'), 'a transfer without its two legs');
  t.ok(checks.includes('money_supply'), 'balances that no longer sum to deposits minus withdrawals');
  t.match(violations.find((v) => v.check === 'transfer_legs')?.detail, new RegExp(`transfer ${orphan.id} has 0 lines`));
  t.match(violations.find((v) => v.check === 'money_supply')?.detail, /HTG: balances sum to 1005 but deposits - withdrawals = 1000/);
});

await t.test('migrations go down and up again; openDatabase migrates a fresh database', async (t) => {
  const database = await serverDatabase(t);
  t.same(await migrateToLatest(database.db), [], 'already at the latest');
  const indexes = async () =>
    (await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = 'public' and indexname in ('transfers_from_account_idx', 'transfers_to_account_idx', 'ledger_entries_transfer_idx') order by 1`.execute(database.db)).rows.map((r) => r.name);
  t.same(await indexes(), [], 'no index that only a deletion would use');
  t.same(await migrateDown(database.db), ['2026-12-07-0001-outbox']);
  t.same(await migrateDown(database.db), ['2026-11-26-0001-drop-unused-indexes']);
  t.same(await indexes(), ['ledger_entries_transfer_idx', 'transfers_from_account_idx', 'transfers_to_account_idx'], 'down puts them back');
  t.same(await migrateDown(database.db), ['2026-11-25-0001-initial']);
  const { rows } = await sql<{ n: string }>`select count(*)::text as n from information_schema.tables where table_name = 'accounts'`.execute(database.db);
  t.equal(rows[0]?.n, '0', 'down drops the tables');
  t.same(await migrateToLatest(database.db), ['2026-11-25-0001-initial', '2026-11-26-0001-drop-unused-indexes', '2026-12-07-0001-outbox']);
});

await t.test('the database refuses what the domain refuses', async (t) => {
  const database = await serverDatabase(t);
  const owner = aUser();
  const account = anAccount({ ownerId: owner.id, balance: 100 });
  await database.uow.run(async (tx) => {
    await tx.users.insert(owner);
    await tx.movements.record({ openedAccounts: [account], events: [] });
  });
  const refused = async (what: string, query: ReturnType<typeof sql>, code: string) =>
    t.rejects(query.execute(database.db), { code }, what);
  await refused('a negative balance', sql`update accounts set balance = -1 where id = ${account.id}`, '23514');
  await refused('an account number that is not 12 digits', sql`update accounts set number = '12345678901a' where id = ${account.id}`, '23514');
  await refused('an unknown status', sql`update accounts set status = 'DELETED' where id = ${account.id}`, '23514');
  await refused('an account without an owner', sql`update accounts set owner_id = ${randomUUID()} where id = ${account.id}`, '23503');
  const line = (overrides: Parameters<typeof aLedgerEntry>[0]) =>
    database.uow.run((tx) => tx.movements.record({ ledgerLines: [aLedgerEntry({ accountId: account.id, ...overrides })], events: [] }));
  await t.rejects(line({ amount: 0 }), { code: '23514' }, 'a zero amount');
  await t.rejects(line({ balanceAfter: -1 }), { code: '23514' }, 'a negative balance_after');
  await t.rejects(line({ type: 'DEPOT', direction: 'DEBIT' }), { code: '23514' }, 'a deposit that debits');
  await t.rejects(line({ accountId: randomUUID() }), { code: '23503' }, 'a line of an unknown account');
  await line({ sequence: 1 });
  await t.rejects(line({ sequence: 1 }), { code: '23505' }, 'two lines with one sequence on one account');
});

await t.test('a statement longer than the timeout is cancelled, and the pool goes on', async (t) => {
  const database = await serverDatabase(t, { statementTimeoutMs: 300 });
  const { rows } = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(database.db);
  t.equal(rows[0]?.statement_timeout, '300ms', 'the session runs with the timeout given');
  // Cancelled by the timeout (its own message), not after the sleep: a sleep that ran out would resolve.
  await t.rejects(sql`select pg_sleep(3)`.execute(database.db), { code: '57014', message: /statement timeout/ }, 'query_canceled');
  await database.ping();
  t.pass('the next query is answered');

  // A unit of work stuck behind a lock that a hung transaction holds: cancelled at the timeout
  // and reported as DatabaseUnavailable (503), never left waiting.
  const owner = aUser();
  const account = anAccount({ ownerId: owner.id });
  await database.uow.run(async (tx) => {
    await tx.users.insert(owner);
    await tx.movements.record({ openedAccounts: [account], events: [] });
  });
  let releaseHung = () => {};
  const hungHolds = new Promise<void>((resolve) => {
    void database.db.transaction().execute(async (trx) => {
      await sql`select id from accounts where id = ${account.id} for update`.execute(trx);
      resolve();
      await new Promise<void>((release) => (releaseHung = release));
    });
  });
  await hungHolds;
  await t.rejects(
    database.uow.run((tx) => tx.accounts.lockMany([account.id])),
    { name: 'DatabaseUnavailable', code: 'service_unavailable', message: /statement timeout/ },
    'given up at the timeout (not left waiting for the lock)',
  );
  releaseHung();
});

await t.test('ping answers while the database is there and rejects once it is gone; stats count the pool', async (t) => {
  const { url, drop } = await freshDatabase(t);
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolMax: 3 });
  t.teardown(() => database.close().catch(() => {}));
  await database.ping();
  const stats = database.stats();
  t.ok(stats.total >= 1 && stats.total <= 3, `total within the pool size (${stats.total})`);
  t.equal(stats.waiting, 0);
  await drop();
  await t.rejects(database.ping(), 'ping rejects when the database is gone');
  await t.rejects(
    database.uow.read((store) => store.users.findById(randomUUID())),
    { name: 'DatabaseUnavailable', code: 'service_unavailable', message: /^The database is unavailable: / },
    'a unit of work rejects with DatabaseUnavailable (503), not a raw driver error',
  );
});

await t.test('an unreachable DATABASE_URL: DatabaseUnavailable naming it, password masked', async (t) => {
  const error = await openDatabase({ databaseUrl: 'postgres://banker:s3cr3t-pw@127.0.0.1:1/bank', dataDir: 'unused' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(error instanceof DatabaseUnavailable, 'a DatabaseUnavailable');
  t.match(error, { code: 'service_unavailable', name: 'DatabaseUnavailable' });
  const message = (error as Error).message;
  t.match(message, /DATABASE_URL=postgres:\/\/banker:\*\*\*\*@127\.0\.0\.1:1\/bank/, `names the URL (${message})`);
  t.notMatch(message, /s3cr3t/, 'without the password');

  await t.rejects(openDatabase({ databaseUrl: 'not a url :: s3cr3t', dataDir: 'unused' }), {
    code: 'service_unavailable',
    message: /^Invalid DATABASE_URL: DATABASE_URL=\(not a valid URL\)$/,
  });
});

await t.test('a database that does not exist on a live server is DatabaseUnavailable too', async (t) => {
  const { url } = await freshDatabase(t);
  const missing = new URL(url);
  missing.pathname = `/missing_${randomUUID().slice(0, 8)}`;
  await t.rejects(openDatabase({ databaseUrl: missing.toString(), dataDir: 'unused' }), {
    code: 'service_unavailable',
    message: /DATABASE_URL=.*does not exist/,
  });
});

// ── Sweeping idempotency records ────────────────────────────────────────────────────────────

const DAY_MS = 24 * 3600 * 1000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** Commits `count` idempotency records of one new user, created `age` ms ago with a 24 h expiry. */
async function givenRecords(database: Database, count: number, ageMs: number): Promise<string> {
  const user = aUser();
  await database.uow.run((tx) => tx.users.insert(user));
  await sql`
    insert into idempotency_records (user_id, key, fingerprint, outcome, created_at, expires_at)
    select ${user.id}::uuid, 'key-' || g, 'f', '{"ok":true,"value":{}}'::json,
           ${ago(ageMs)}::timestamptz, ${ago(ageMs)}::timestamptz + interval '24 hours'
    from generate_series(1, ${count}::int) as g
  `.execute(database.db);
  return user.id;
}

async function recordCount(database: Database, userId: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*)::text as n from idempotency_records where user_id = ${userId}`.execute(database.db);
  return Number(rows[0]?.n);
}

/** The promise's outcome, or 'still waiting' once `ms` have passed (a sweep stuck behind a lock fails the test instead of hanging it). */
function settledWithin<T>(promise: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    new Promise<'still waiting'>((resolve) => (timer = setTimeout(() => resolve('still waiting'), ms))),
  ]).finally(() => clearTimeout(timer));
}

await t.test('sweeps from two API instances on one PostgreSQL at once delete each expired record once, without an error', async (t) => {
  const { url } = await freshDatabase(t);
  const first = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
  t.teardown(() => first.close().catch(() => {}));
  const second = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
  t.teardown(() => second.close().catch(() => {}));
  const expired = [await givenRecords(first, 1500, 3 * DAY_MS), await givenRecords(first, 1500, 2 * DAY_MS)];
  const live = await givenRecords(first, 300, 3600 * 1000);

  // Two sweepers per instance, 50 rows per transaction: their batches interleave.
  const sweeps = [first, first, second, second].map((database) => bankOn(database.uow).sweepIdempotencyRecords.execute({ batchSize: 50 }));
  const results = await Promise.allSettled(sweeps);
  t.same(results.filter((r) => r.status === 'rejected'), [], 'no sweep failed');
  const counts = results.map((r) => (r.status === 'fulfilled' ? r.value.deleted : NaN));
  t.equal(counts.reduce((a, b) => a + b, 0), 3000, `3000 deleted in all, each once (${counts.join(' + ')})`);
  t.ok(results.every((r) => r.status === 'fulfilled' && r.value.complete), 'every sweep ran to the end');
  t.equal(await recordCount(first, expired[0]!), 0);
  t.equal(await recordCount(first, expired[1]!), 0);
  t.equal(await recordCount(first, live), 300, 'the records younger than the retention are all there');
});

await t.test('a sweep does not wait for a movement that is rewriting a reused key: it skips that row', async (t) => {
  const database = await serverDatabase(t);
  const userId = await givenRecords(database, 3, 2 * DAY_MS);
  const now = new Date().toISOString();
  const renewed = anIdempotencyRecord({ userId, key: 'key-1', fingerprint: 'the retry', createdAt: now, expiresAt: new Date(Date.now() + DAY_MS).toISOString() });
  // A movement's upsert of key-1's record, caught between its statement and its COMMIT (as with
  // DB_PIPELINE=false): the row is locked by a transaction that has not committed yet.
  const swept = await database.db.connection().execute(async (connection) => {
    await sql`begin`.execute(connection);
    await sql`update idempotency_records set fingerprint = ${renewed.fingerprint}, created_at = ${now}, expires_at = ${renewed.expiresAt} where user_id = ${userId} and key = 'key-1'`.execute(connection);
    const result = await settledWithin(bankOn(database.uow).sweepIdempotencyRecords.execute(), 4000);
    await sql`commit`.execute(connection);
    return result;
  });
  t.same(swept, { ok: true, value: { deleted: 2, complete: true } }, 'done while the movement still held its row, which it skipped');
  t.match(await database.uow.run((tx) => tx.idempotency.find(userId, 'key-1', now)), { fingerprint: 'the retry' }, 'the movement committed its record');
  t.equal(await recordCount(database, userId), 1);
});

await t.test('a key reused while a sweep is deleting its expired record is saved as new', async (t) => {
  const database = await serverDatabase(t);
  const userId = await givenRecords(database, 1, 2 * DAY_MS);
  const now = new Date().toISOString();
  const renewed = anIdempotencyRecord({ userId, key: 'key-1', fingerprint: 'the retry', createdAt: now, expiresAt: new Date(Date.now() + DAY_MS).toISOString() });
  // The sweep's DELETE, held open before its COMMIT on a connection of its own.
  await database.db.connection().execute(async (connection) => {
    await sql`begin`.execute(connection);
    const deleted = await sql`delete from idempotency_records where user_id = ${userId}`.execute(connection);
    t.equal(Number(deleted.numAffectedRows), 1);
    const saving = database.uow.run(async (tx) => {
      t.equal(await tx.idempotency.claim(userId, 'key-1'), true);
      t.equal(await tx.idempotency.find(userId, 'key-1', now), undefined, 'the old record has expired');
      await tx.movements.record({ idempotencyRecord: renewed, events: [] });
    });
    // The movement's upsert waits on the row the sweep is deleting.
    for (;;) {
      const { rows } = await sql<{ n: string }>`select count(*)::text as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db);
      if (rows[0]?.n === '1') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await sql`commit`.execute(connection);
    await saving;
  });
  t.same(await database.uow.run((tx) => tx.idempotency.find(userId, 'key-1', now)), renewed, 'recorded once the sweep committed');
});

await t.test('the sweep statement, even on a generic plan, finds rows through the expiry index and deletes them by TID', async (t) => {
  const database = await serverDatabase(t);
  const userId = await givenRecords(database, 20_000, 3600 * 1000);
  await givenRecords(database, 200, 2 * DAY_MS);
  await sql`analyze idempotency_records`.execute(database.db);
  // The API sends it as a named prepared statement, which PostgreSQL plans generically after a
  // few runs: a plan that cannot see the LIMIT or the dates must still be a bounded one.
  const { sql: text } = expiredRecordsDeletion(database.db, ago(0), ago(DAY_MS), 500).compile();
  const plan = await database.db.connection().execute(async (connection) => {
    await sql`set plan_cache_mode = force_generic_plan`.execute(connection);
    await sql.raw(`prepare sweep_plan as ${text}`).execute(connection);
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain (costs off) execute sweep_plan(now(), now() - interval '24 hours', 500)`.execute(connection);
    await sql`deallocate sweep_plan; reset plan_cache_mode`.execute(connection);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
  t.match(plan, /Index Scan using idempotency_records_expires_idx/, 'expired rows found through the expiry index');
  t.match(plan, /Tid Scan on idempotency_records/, 'deleted by TID');
  t.notMatch(plan, /Seq Scan/, `no sequential scan:\n${plan}`);
  t.equal(await recordCount(database, userId), 20_000);
});
