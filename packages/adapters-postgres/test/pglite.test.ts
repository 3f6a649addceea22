import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { storeContract } from '@banking/testing';
import { sql } from 'kysely';
import t from 'tap';
import { ledgerVerifyCommand } from '../src/cli/ledger-verify.command.js';
import { migrateCommand } from '../src/cli/migrate.command.js';
import { openDatabase, verifyLedger } from '../src/index.js';
import { bankOn } from './support/bank.js';

// One data directory for the file (initialising one costs seconds): the restart scenario and the
// CLIs run first, on sound data; the store contract, which writes rows no use case would, runs last.
const dataDir = await mkdtemp(join(tmpdir(), 'banking-pglite-'));
t.teardown(() => rm(dataDir, { recursive: true, force: true }));

let state: { userId: string; savingsId: string; currentId: string; history: number } | undefined;

await t.test('embedded: money moved before a restart is all there after it', async (t) => {
  const first = await openDatabase({ dataDir });
  t.equal(first.kind, 'pglite');
  const banking = bankOn(first.uow);
  const user = await banking.registerUser.execute({ email: `e-${randomUUID()}@example.test`, password: 'correct horse battery', fullName: 'Embedded' });
  const current = await banking.openAccount.execute({ userId: user.id, type: 'COURANT' });
  const savings = await banking.openAccount.execute({ userId: user.id, type: 'EPARGNE' });
  await banking.postTransaction.execute({ userId: user.id, accountId: current.id, type: 'DEPOT', amount: '1000.50' });
  await banking.postTransaction.execute({ userId: user.id, accountId: savings.id, type: 'DEPOT', amount: '500' });
  // Concurrent callers on the single embedded connection: queued, never interleaved. Both
  // balances cover their 20 outgoing transfers in any order.
  const outcomes = await Promise.allSettled(
    Array.from({ length: 40 }, (_, i) =>
      i % 2
        ? banking.transferMoney.execute({ userId: user.id, fromAccountId: current.id, toAccountNumber: savings.number, amount: '30.25' })
        : banking.transferMoney.execute({ userId: user.id, fromAccountId: savings.id, toAccountNumber: current.number, amount: '10.00' }),
    ),
  );
  t.same(outcomes.filter((o) => o.status === 'rejected').map((o) => String(o.reason)), [], 'every transfer went through');
  t.same(first.stats(), { total: 1, idle: 1, waiting: 0 }, 'one connection, idle again');
  await first.close();

  const second = await openDatabase({ dataDir });
  t.teardown(() => second.close());
  await t.rejects(openDatabase({ dataDir }), { name: 'DataDirLocked', message: `DATA_DIR=${dataDir} is already open in this process (pid ${process.pid})` }, 'one open at a time, in one process too');
  const reopened = bankOn(second.uow);
  const balance = await reopened.getBalance.execute({ userId: user.id, accountId: current.id });
  t.equal(balance.balance, 100050 - 20 * 3025 + 20 * 1000, 'the current account balance survived');
  const history = await reopened.listTransactions.execute({ userId: user.id, accountId: current.id, pageSize: 100 });
  t.equal(history.total, 41, 'and its whole history');
  const savingsBalance = await reopened.getBalance.execute({ userId: user.id, accountId: savings.id });
  t.equal(savingsBalance.balance, 50000 + 20 * 3025 - 20 * 1000, 'so did the savings balance');
  t.equal(history.items.at(-1)?.type, 'DEPOT', 'oldest last');
  t.same(await verifyLedger(second), [], 'the ledger checks out');
  await second.ping();
  state = { userId: user.id, savingsId: savings.id, currentId: current.id, history: history.total };
});

await t.test('embedded: pnpm migrate and pnpm ledger:verify on DATA_DIR', async (t) => {
  const out: string[] = [];
  const err: string[] = [];
  const env = { DATA_DIR: dataDir };
  t.equal(await migrateCommand(env, (l) => out.push(l), (l) => err.push(l)), 0, 'migrate exits 0');
  t.match(out.pop(), /^migrate: schema already up to date \(DATA_DIR=/);
  t.equal(await ledgerVerifyCommand(env, (l) => out.push(l), (l) => err.push(l)), 0, 'ledger:verify exits 0');
  t.match(out.pop(), /^ledger:verify OK: 2 accounts, 82 ledger lines, 40 transfers; balances in minor units: HTG 150050 \(DATA_DIR=/);

  const database = await openDatabase({ dataDir });
  await sql`update accounts set balance = balance + 1 where id = ${state?.savingsId ?? ''}`.execute(database.db);
  await database.close();
  t.equal(await ledgerVerifyCommand(env, (l) => out.push(l), (l) => err.push(l)), 1, 'ledger:verify exits 1 on a violation');
  t.match(out, [/^VIOLATION balance_matches_lines: account /, /^VIOLATION money_supply: currency HTG/, /^ledger:verify FAILED: 2 violation/], 'each violation, then the verdict');
  t.same(err, []);

  const broken = { DATABASE_URL: 'postgres://admin:hunter22@127.0.0.1:1/bank' };
  t.equal(await migrateCommand(broken, () => {}, (l) => err.push(l)), 1, 'migrate exits 1 when the database is unreachable');
  t.equal(await ledgerVerifyCommand(broken, () => {}, (l) => err.push(l)), 2, 'ledger:verify exits 2 when it cannot read');
  t.match(err, [/DATABASE_URL=postgres:\/\/admin:\*\*\*\*@127\.0\.0\.1:1\/bank/, /DATABASE_URL=postgres:\/\/admin:\*\*\*\*@/]);
  t.notMatch(err.join('\n'), /hunter22/, 'never the password');
});

await t.test('the store contract, on embedded PGlite', async (t) => {
  const database = await openDatabase({ dataDir });
  t.teardown(() => database.close());
  // One database for the whole suite: its subtests use fresh ids and never need an empty store.
  await storeContract(t, () => Promise.resolve({ uow: database.uow, close: () => Promise.resolve() }));
});
