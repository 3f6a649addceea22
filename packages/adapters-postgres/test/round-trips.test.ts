import { aLedgerEntry, anAccount, aUser } from '@banking/testing';
import type { Account } from '@banking/domain';
import pg from 'pg';
import t, { type Test } from 'tap';
import { sql } from 'kysely';
import { openDatabase, verifyLedger, type Database } from '../src/index.js';
import { statementName } from '../src/named-statements.js';
import { PipelinedTransactionsClient, THEN_COMMIT } from '../src/pipelined-transactions.js';
import { bankOn } from './support/bank.js';
import { freshDatabase, requireServer } from './support/databases.js';

// Fewer round trips, fewer parses. The unit of work holds balance updates, transfers, ledger
// lines and idempotency records and sends them as one statement before the next statement and
// before COMMIT: these tests pin what that must never change (reads see the writes, the last
// update wins, a failing write rolls everything back) and that a transfer costs four statements.
// Parameterised queries run as named prepared statements, parsed once per connection.

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
    await tx.accounts.insert(account);
  });
  return account;
}

/**
 * The statements every pg client submits while `body` runs, and the round trips they cost: a
 * statement submitted while none is awaiting its answer starts one; one written behind another
 * (pipelined) does not. Only meaningful with one unit of work in flight.
 */
async function recordStatements(body: () => Promise<void>): Promise<{ statements: string[]; roundTrips: number }> {
  const statements: string[] = [];
  let outstanding = 0;
  let roundTrips = 0;
  const { submit, handleReadyForQuery } = pg.Query.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const query = pg.Query.prototype as unknown as Record<string, unknown>;
  query['submit'] = function (this: { text?: string }, ...args: unknown[]) {
    if (outstanding === 0) roundTrips += 1;
    outstanding += 1;
    statements.push(String(this.text));
    return submit?.apply(this, args);
  };
  query['handleReadyForQuery'] = function (this: unknown, ...args: unknown[]) {
    outstanding -= 1;
    return handleReadyForQuery?.apply(this, args);
  };
  try {
    await body();
  } finally {
    query['submit'] = submit;
    query['handleReadyForQuery'] = handleReadyForQuery;
  }
  return { statements, roundTrips };
}

async function countStatements(body: () => Promise<void>): Promise<string[]> {
  return (await recordStatements(body)).statements;
}

/** The first SQL word of a statement, after any leading comment. */
const verb = (text: string) => text.replace(/^\s*(?:\/\*[^*]*\*\/\s*)*/, '').split(/\s/, 1)[0]?.toLowerCase();

await t.test('buffered writes on PostgreSQL', async (t) => {
  const database = await serverDatabase(t);
  const account = await storedAccount(database);

  await t.test('a read in the same unit of work sees the writes held before it', async (t) => {
    const seen = await database.uow.run(async (tx) => {
      await tx.accounts.update({ ...account, balance: 1000, version: 1 });
      await tx.ledger.append([aLedgerEntry({ accountId: account.id, sequence: 1, amount: 1000, balanceAfter: 1000 })]);
      const found = await tx.accounts.findById(account.id);
      const lines = await tx.ledger.listByAccount(account.id, {}, { page: 1, pageSize: 10 });
      return { balance: found?.balance, lines: lines.total };
    });
    t.same(seen, { balance: 1000, lines: 1 });
  });

  await t.test('two updates of one account before a flush: the last one is stored', async (t) => {
    await database.uow.run(async (tx) => {
      await tx.accounts.update({ ...account, balance: 1500, version: 2 });
      await tx.accounts.update({ ...account, balance: 1200, version: 3, status: 'FROZEN' });
      await tx.ledger.append([
        aLedgerEntry({ accountId: account.id, sequence: 2, amount: 500, balanceAfter: 1500 }),
        aLedgerEntry({ accountId: account.id, sequence: 3, type: 'RETRAIT', direction: 'DEBIT', amount: 300, balanceAfter: 1200 }),
      ]);
    });
    const stored = await database.uow.run((tx) => tx.accounts.findById(account.id));
    t.match(stored, { balance: 1200, version: 3, status: 'FROZEN' });
    await database.uow.run((tx) => tx.accounts.update({ ...account, balance: 1200, version: 4, status: 'ACTIVE' }));
  });

  await t.test('a write that fails at the flush rolls back the whole unit of work', async (t) => {
    const other = aUser();
    // The balance CHECK refuses -1: the user inserted earlier and the line held with it go too.
    await t.rejects(
      database.uow.run(async (tx) => {
        await tx.users.insert(other);
        await tx.accounts.update({ ...account, balance: -1, version: 5 });
        await tx.ledger.append([aLedgerEntry({ accountId: account.id, sequence: 5, amount: 1, balanceAfter: 1 })]);
      }),
      { code: '23514' },
    );
    // An unknown account updates no row: refused, nothing written.
    await t.rejects(
      database.uow.run(async (tx) => {
        await tx.users.insert(other);
        await tx.accounts.update(anAccount({ ownerId: other.id }));
      }),
      /unknown account/,
    );
    const after = await database.uow.run(async (tx) => ({
      user: await tx.users.findById(other.id),
      account: await tx.accounts.findById(account.id),
      lines: (await tx.ledger.listByAccount(account.id, {}, { page: 1, pageSize: 10 })).total,
    }));
    t.equal(after.user, undefined, 'the user inserted before the failing write is gone');
    t.match(after.account, { balance: 1200, version: 4 }, 'the balance is untouched');
    t.equal(after.lines, 3, 'no line was added');
  });

  await t.test('a transfer is four statements in two round trips: BEGIN with the lock of both sides, the write with COMMIT', async (t) => {
    const bank = bankOn(database.uow);
    const owner = await bank.registerUser.execute({ email: `w-${Date.now()}@example.test`, password: 'password-1234', fullName: 'W' });
    const from = await bank.openAccount.execute({ userId: owner.id, type: 'COURANT' });
    const to = await bank.openAccount.execute({ userId: owner.id, type: 'EPARGNE' });
    await bank.postTransaction.execute({ userId: owner.id, accountId: from.id, type: 'DEPOT', amount: '100' });
    const { statements: sent, roundTrips } = await recordStatements(async () => {
      await bank.transferMoney.execute({ userId: owner.id, fromAccountId: from.id, toAccountNumber: to.number, amount: '12.34' });
    });
    t.equal(sent.length, 4, 'four statements', { statements: sent });
    t.match(sent[0], /^begin/i);
    t.match(sent[1], /from "accounts" where \("id" in \(\$1\) or "number" in \(\$2\)\) order by "id" for update/);
    t.match(sent[2], /^\/\* then commit \*\/ with .*update accounts.*insert into transfers.*insert into ledger_entries/is);
    t.match(sent[3], /^commit/i);
    t.equal(roundTrips, 2, 'BEGIN is written with the lock, COMMIT with the write');
    t.same(await verifyLedger(database), []);
  });
});

await t.test('a unit of work that only reads sends no BEGIN and no COMMIT; the first lock or write begins the transaction', async (t) => {
  const database = await serverDatabase(t);
  const account = await storedAccount(database, { balance: 0 });
  const reads = await countStatements(async () => {
    await database.uow.run(async (tx) => {
      await tx.accounts.findById(account.id);
      await tx.ledger.listByAccount(account.id, {}, { page: 1, pageSize: 20 });
    });
  });
  t.equal(reads.length, 3, 'the lookup, the page and its count', { statements: reads });
  t.notOk(reads.some((text) => /^(begin|commit)/i.test(text)), 'no BEGIN, no COMMIT');

  const mixed = await recordStatements(async () => {
    await database.uow.run(async (tx) => {
      await tx.accounts.findById(account.id);
      const [locked] = await tx.accounts.lockMany([account.id]);
      if (locked) await tx.accounts.update({ ...locked, version: locked.version + 1 });
    });
  });
  t.same(mixed.statements.map(verb), ['select', 'begin', 'select', 'with', 'commit'], 'the read runs before BEGIN; the lock, the write and COMMIT inside');
  t.equal(mixed.roundTrips, 3, 'the read; BEGIN with the lock; the write with COMMIT');

  const nothingSent = await recordStatements(async () => {
    await t.rejects(
      database.uow.run(async (tx) => {
        await tx.accounts.findById(account.id);
        // The domain refuses before anything is locked or written: the held BEGIN is dropped.
        throw new Error('refused before any write');
      }),
      /refused before any write/,
    );
  });
  t.same(nothingSent.statements.map(verb), ['select'], 'a refusal before any lock or write sends no BEGIN and no ROLLBACK');
  // A failure after BEGIN still rolls back everything.
  await t.rejects(
    database.uow.run(async (tx) => {
      const [locked] = await tx.accounts.lockMany([account.id]);
      if (locked) await tx.accounts.update({ ...locked, balance: 5, version: locked.version + 1 });
      await tx.accounts.findById(account.id);
      throw new Error('refused after the write was sent');
    }),
    /refused after the write was sent/,
  );
  t.match(await database.uow.run((tx) => tx.accounts.findById(account.id)), { balance: 0, version: 1 });
});

await t.test('parameterised queries are prepared once per connection, by a name derived from their text', async (t) => {
  // One connection, so that every unit of work below runs in the same session.
  const database = await serverDatabase(t, 1);
  const account = await storedAccount(database, { balance: 0 });
  const sent = await countStatements(async () => {
    for (let i = 0; i < 3; i++) t.match(await database.uow.run((tx) => tx.accounts.findById(account.id)), { id: account.id });
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

await t.test('the pipelining client: a held BEGIN goes out with the next statement, COMMIT behind a marked one', async (t) => {
  const { url } = await freshDatabase(t);
  const client = new PipelinedTransactionsClient(url);
  await client.connect();
  t.teardown(() => client.end());
  await client.query('create table notes (n integer not null)');

  const dropped = await recordStatements(async () => {
    await client.query('begin');
    await client.query('rollback');
  });
  t.same(dropped.statements, [], 'BEGIN then ROLLBACK with nothing between: nothing is sent');

  const committed = await recordStatements(async () => {
    await client.query('begin');
    await client.query('insert into notes (n) values ($1)', [1]);
    t.equal(client.getTransactionStatus(), 'T', 'the insert ran inside the transaction');
    const { rows } = await client.query(`${THEN_COMMIT}select count(*)::int as n from notes`, []);
    t.same(rows, [{ n: 1 }], 'the marked statement answers as usual');
  });
  t.equal(client.getTransactionStatus(), 'I', 'and the transaction is committed behind it');
  t.same(committed.statements.map(verb), ['begin', 'insert', 'select', 'commit']);
  t.equal(committed.roundTrips, 2);

  await client.query('begin');
  await client.query('insert into notes (n) values ($1)', [2]);
  await t.rejects(client.query(`${THEN_COMMIT}insert into notes (n) values (1 / $1)`, [0]), { code: '22012' }, 'a failing marked statement rejects with its own error');
  t.equal(client.getTransactionStatus(), 'I', 'the COMMIT behind it ended the transaction');
  t.same((await client.query('select array_agg(n order by n) as ns from notes', [])).rows, [{ ns: [1] }], 'as a rollback: the insert before it is gone');
});

await t.test('after a failed write, the pooled connection is clean for the next unit of work', async (t) => {
  const database = await serverDatabase(t, 1);
  const account = await storedAccount(database, { balance: 10 });
  for (let i = 0; i < 3; i++) {
    await t.rejects(database.uow.run((tx) => tx.accounts.update({ ...account, balance: -1, version: 1 })), { code: '23514' });
    await database.uow.run(async (tx) => {
      const [locked] = await tx.accounts.lockMany([account.id]);
      if (locked) await tx.accounts.update({ ...locked, balance: locked.balance + 1, version: locked.version + 1 });
    });
  }
  t.match(await database.uow.run((tx) => tx.accounts.findById(account.id)), { balance: 13, version: 3 }, 'every good unit of work after a failed one committed');
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
  t.equal(roundTrips, 4);
  t.same(await verifyLedger(database), []);
});
