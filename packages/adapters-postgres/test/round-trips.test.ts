import { anAccount, aUser } from '@banking/testing';
import type { Account } from '@banking/domain';
import t, { type Test } from 'tap';
import { sql } from 'kysely';
import { openDatabase, verifyLedger, type Database } from '../src/index.js';
import { statementName } from '../src/pg-pool.js';
import { bankOn } from './support/bank.js';
import { countSocketWrites, countStatements, recordStatements, verb } from './support/statements.js';
import { freshDatabase, requireServer } from './support/databases.js';

// Fewer round trips, fewer parses. A movement is one statement (its parts as data-modifying CTEs),
// written with the COMMIT; BEGIN is written with the first statement (session-dialect.ts): these
// tests pin that a transfer or a deposit costs four statements in two round trips, that reads cost
// no transaction, and that a failing movement rolls everything back. Parameterised queries run as
// named prepared statements, parsed once per connection.

await requireServer();

async function serverDatabase(t: Test, poolMax?: number): Promise<Database> {
  const { url } = await freshDatabase(t);
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolMax });
  t.teardown(() => database.close().catch(() => {}));
  return database;
}

/** A user and an account of theirs, stored. */
async function storedAccount(database: Database, overrides: Partial<Account> = {}): Promise<Account> {
  const user = aUser();
  const account = anAccount({ ownerId: user.id, ...overrides });
  await database.uow.run(async (tx) => {
    await tx.users.insert(user);
    await tx.movements.record({ openedAccounts: [account], events: [] });
  });
  return account;
}

await t.test('the movement on PostgreSQL: one statement, written with the COMMIT', async (t) => {
  const database = await serverDatabase(t);
  const bank = bankOn(database.uow);
  const owner = await bank.registerUser.execute({ email: `w-${Date.now()}@example.test`, password: 'password-1234', fullName: 'W' });
  const from = await bank.openAccount.execute({ userId: owner.id, type: 'COURANT' });
  const to = await bank.openAccount.execute({ userId: owner.id, type: 'EPARGNE' });

  await t.test('a deposit is four statements in two round trips: BEGIN with the lock, the movement with COMMIT', async (t) => {
    const { statements, roundTrips } = await recordStatements(async () => {
      await bank.postTransaction.execute({ userId: owner.id, accountId: from.id, type: 'DEPOT', amount: '100' });
    });
    t.same(statements.map(verb), ['begin', 'select', 'with', 'commit'], 'four statements', { statements });
    t.match(statements[1], /from "accounts" where "id" in \(\$1\) order by "id" for update/);
    t.match(statements[2], /^with "w0" as \(update "accounts" set .*\), "w1" as \(insert into "ledger_entries" .*\) insert into "outbox"/s);
    t.equal(roundTrips, 2, 'BEGIN is written with the lock, COMMIT with the movement');
  });

  await t.test('a transfer is four statements in two round trips, both sides locked by one statement', async (t) => {
    const { statements, roundTrips } = await recordStatements(async () => {
      await bank.transferMoney.execute({ userId: owner.id, fromAccountId: from.id, toAccountNumber: to.number, amount: '12.34' });
    });
    t.equal(statements.length, 4, 'four statements', { statements });
    t.match(statements[0], /^begin/i);
    t.match(statements[1], /from "accounts" where \("id" in \(\$1\) or "number" in \(\$2\)\) order by "id" for update/);
    t.match(statements[2], /^with "w0" as \(update "accounts" .*"w1" as \(update "accounts" .*insert into "transfers" .*insert into "ledger_entries" .*\) insert into "outbox"/s);
    t.match(statements[3], /^commit/i);
    t.equal(roundTrips, 2, 'BEGIN is written with the lock, COMMIT with the movement');
    t.same(await verifyLedger(database), []);
    t.match(await database.uow.read((store) => store.outbox.listByAccount(to.id)), [{ type: 'bank.account.opened' }, { type: 'bank.transaction.posted' }]);
    const writes = await countSocketWrites(async () => {
      await bank.transferMoney.execute({ userId: owner.id, fromAccountId: from.id, toAccountNumber: to.number, amount: '0.01' });
    });
    t.equal(writes, 2, 'and each round trip is one socket write: the queries written together leave together');
  });

  await t.test('opening an account and freezing one: the movement with COMMIT too', async (t) => {
    const opened = await recordStatements(async () => {
      await bank.openAccount.execute({ userId: owner.id, type: 'EPARGNE' });
    });
    // BEGIN with the owner's lock, then its read, the count and the number check, then the movement with COMMIT.
    t.same(opened.statements.map(verb), ['begin', 'select', 'select', 'select', 'select', 'with', 'commit'], { statements: opened.statements });
    t.match(opened.statements[5], /^with "w0" as \(insert into "accounts" .*\) insert into "outbox"/s);
    t.equal(opened.roundTrips, 5);
    const frozen = await recordStatements(async () => {
      await bank.freezeAccount.execute({ userId: owner.id, accountId: to.id });
    });
    t.same(frozen.statements.map(verb), ['begin', 'select', 'with', 'commit']);
    t.equal(frozen.roundTrips, 2);
  });

  await t.test('a movement that fails rolls back the whole unit of work, and says why', async (t) => {
    const other = aUser();
    const [account] = await database.uow.run((tx) => tx.accounts.lockMany([from.id]));
    // The balance CHECK refuses -1: the user inserted earlier in the unit of work goes too.
    await t.rejects(
      database.uow.run(async (tx) => {
        await tx.users.insert(other);
        const [locked] = await tx.accounts.lockMany([from.id]);
        await tx.movements.record({ updatedAccounts: [{ ...locked!, balance: -1, version: locked!.version + 1 }], events: [] });
      }),
      { code: '23514' },
    );
    // An account the unit of work did not lock is refused before anything is sent.
    await t.rejects(
      database.uow.run(async (tx) => {
        await tx.users.insert(other);
        await tx.movements.record({ updatedAccounts: [{ ...account!, balance: 0, version: account!.version + 1 }], events: [] });
      }),
      /not locked by this unit of work/,
    );
    const after = await database.uow.read(async (store) => ({
      user: await store.users.findById(other.id),
      account: await store.accounts.findById(from.id),
    }));
    t.equal(after.user, undefined, 'the user inserted before the failing movement is gone');
    t.same(after.account, account, 'the account is untouched');
  });
});

await t.test('reads run without BEGIN or COMMIT; a refusal before anything is sent sends nothing, one after the lock a ROLLBACK', async (t) => {
  const database = await serverDatabase(t);
  const account = await storedAccount(database, { balance: 0 });
  const reads = await recordStatements(async () => {
    await database.uow.read(async (store) => {
      await store.accounts.findById(account.id);
      await store.ledger.listByAccount(account.id, {}, { page: 1, pageSize: 20 });
    });
  });
  t.equal(reads.statements.length, 3, 'the lookup, the page and its count', { statements: reads.statements });
  t.notOk(reads.statements.some((text) => /^(begin|commit)/i.test(text)), 'no BEGIN, no COMMIT');

  const nothingSent = await recordStatements(async () => {
    await t.rejects(
      database.uow.run(async () => {
        // The domain refuses before anything is locked or read: the held BEGIN is dropped.
        throw new Error('refused before any statement');
      }),
      /refused before any statement/,
    );
  });
  t.same(nothingSent.statements, [], 'nothing at all is sent');

  const refusedAfterLock = await recordStatements(async () => {
    await t.rejects(
      database.uow.run(async (tx) => {
        await tx.accounts.lockMany([account.id]);
        throw new Error('refused after the lock');
      }),
      /refused after the lock/,
    );
  });
  t.same(refusedAfterLock.statements.map(verb), ['begin', 'select', 'rollback']);
  t.equal(refusedAfterLock.roundTrips, 2);
  t.match(await database.uow.read((store) => store.accounts.findById(account.id)), { balance: 0, version: 0 });
});

await t.test('parameterised queries are prepared once per connection, by a name derived from their text', async (t) => {
  // One connection, so that every unit of work below runs in the same session.
  const database = await serverDatabase(t, 1);
  const account = await storedAccount(database, { balance: 0 });
  const sent = await countStatements(async () => {
    for (let i = 0; i < 3; i++) t.match(await database.uow.read((store) => store.accounts.findById(account.id)), { id: account.id });
  });
  const lookup = sent.find((text) => /from "accounts" where "id" = \$1/.test(text));
  t.ok(lookup, 'the lookup by id was sent');
  const name = statementName(lookup ?? '');
  t.match(name, /^bank_[A-Za-z0-9_-]{32}$/);
  const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(database.db);
  t.same(rows.filter((r) => r.name === name).map((r) => r.statement), [lookup], 'prepared once in this session, under its name');
  t.equal(statementName('begin'), undefined, 'statements without parameters stay unnamed');
  t.equal(statementName('create table x (id int)'), undefined, 'and so does DDL');
});

await t.test('after a failed movement, the pooled connection is clean for the next unit of work', async (t) => {
  const database = await serverDatabase(t, 1);
  const account = await storedAccount(database, { balance: 10 });
  const add = (delta: number) =>
    database.uow.run(async (tx) => {
      const [locked] = await tx.accounts.lockMany([account.id]);
      if (locked) await tx.movements.record({ updatedAccounts: [{ ...locked, balance: locked.balance + delta, version: locked.version + 1 }], events: [] });
    });
  for (let i = 0; i < 3; i++) {
    await t.rejects(add(-100), { code: '23514' });
    await add(1);
  }
  t.match(await database.uow.read((store) => store.accounts.findById(account.id)), { balance: 13, version: 3 }, 'every good unit of work after a failed one committed');
  // This test's database only: the server is shared with other suites, whose connections may be inside a transaction right now.
  const { rows } = await sql<{ open: number }>`select count(*)::int as open from pg_stat_activity where datname = current_database() and application_name = 'banking-api' and state like 'idle in transaction%'`.execute(database.db);
  t.same(rows, [{ open: 0 }], 'no connection was left inside a transaction');
});

await t.test('pipeline: false (a pooler that cannot take pipelined queries): the same four statements, one round trip each', async (t) => {
  const { url } = await freshDatabase(t);
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', pipeline: false });
  t.teardown(() => database.close().catch(() => {}));
  const bank = bankOn(database.uow);
  const owner = await bank.registerUser.execute({ email: `np-${Date.now()}@example.test`, password: 'password-1234', fullName: 'N' });
  const from = await bank.openAccount.execute({ userId: owner.id, type: 'COURANT' });
  const to = await bank.openAccount.execute({ userId: owner.id, type: 'EPARGNE' });
  await bank.postTransaction.execute({ userId: owner.id, accountId: from.id, type: 'DEPOT', amount: '100' });
  const { statements, roundTrips } = await recordStatements(async () => {
    await bank.transferMoney.execute({ userId: owner.id, fromAccountId: from.id, toAccountNumber: to.number, amount: '12.34' });
  });
  t.same(statements.map(verb), ['begin', 'select', 'with', 'commit']);
  t.equal(roundTrips, 4, 'one round trip each');
  t.same(await verifyLedger(database), []);
});
