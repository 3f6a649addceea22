import { randomUUID } from 'node:crypto';
import type { Account, Banking, DomainError, UserProfile } from '@banking/domain';
import { sql } from 'kysely';
import { seededRandom, testSeed } from '@banking/testing';
import t, { type Test } from 'tap';
import { openDatabase, verifyLedger, type Database } from '../src/index.js';
import { bankOn } from './support/bank.js';
import { freshDatabase, requireServer } from './support/databases.js';

// The whole bank (domain use cases) over this adapter on a real PostgreSQL server, with every
// other port in memory: the money rules must hold under concurrency, with no error but the
// domain's own refusals reaching the caller.

await requireServer();

interface Bank {
  readonly banking: Banking;
  readonly database: Database;
}

async function bank(t: Test): Promise<Bank> {
  const { url } = await freshDatabase(t);
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolMax: 10 });
  t.teardown(() => database.close().catch(() => {}));
  return { banking: bankOn(database.uow), database };
}

async function aCustomer(banking: Banking): Promise<UserProfile> {
  return banking.registerUser.execute({ email: `c-${randomUUID()}@example.test`, password: 'correct horse battery', fullName: 'Client' });
}

async function anAccountWith(banking: Banking, userId: string, amount: string): Promise<Account> {
  const account = await banking.openAccount.execute({ userId, type: 'COURANT' });
  if (amount !== '0') await banking.postTransaction.execute({ userId, accountId: account.id, type: 'DEPOT', amount });
  return account;
}

/** The domain code of a refusal, or the whole error when it is anything else (a bug). */
function codeOf(error: unknown): string {
  const code = (error as Partial<DomainError>).code;
  return typeof code === 'string' && /^[a-z_]+$/.test(code) ? code : `unexpected: ${String(error)}`;
}

async function balanceOf(database: Database, accountId: string): Promise<number> {
  const account = await database.uow.run((tx) => tx.accounts.findById(accountId));
  return account?.balance ?? NaN;
}

await t.test('500 concurrent transfers among 20 accounts, mirrored pairs fired together', async (t) => {
  const { banking, database } = await bank(t);
  const owners = await Promise.all(Array.from({ length: 4 }, () => aCustomer(banking)));
  const accounts: Account[] = [];
  for (const owner of owners) for (let i = 0; i < 5; i++) accounts.push(await anAccountWith(banking, owner.id, '100.00'));
  const initial = 20 * 10000;

  // 250 pairs: X→Y and Y→X for the same accounts, launched in the same tick. Amounts from 0.01
  // to 60.00 so that some balances run dry and refusals happen.
  const random = seededRandom(testSeed(t), 'mirrored transfers');
  const pick = () => random.pick(accounts);
  const jobs: { from: Account; to: Account; minor: number }[] = [];
  while (jobs.length < 500) {
    const x = pick();
    const y = pick();
    if (x.id === y.id) continue;
    jobs.push({ from: x, to: y, minor: random.int(1, 6000) });
    jobs.push({ from: y, to: x, minor: random.int(1, 6000) });
  }
  const amount = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
  const outcomes = await Promise.allSettled(
    jobs.map(({ from, to, minor }) =>
      banking.transferMoney.execute({ userId: from.ownerId, fromAccountId: from.id, toAccountNumber: to.number, amount: amount(minor) }),
    ),
  );

  const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [codeOf(o.reason)] : []));
  const others = refusals.filter((code) => code !== 'insufficient_funds');
  t.same(others, [], 'no refusal but insufficient_funds: no deadlock, serialisation or other error reaches the caller');
  const done = outcomes.filter((o) => o.status === 'fulfilled').length;
  t.ok(done > 100, `most transfers went through (${done} of 500, ${refusals.length} refused for insufficient funds)`);

  // Expected balances from the successful transfers alone, exact to the minor unit.
  const expected = new Map(accounts.map((a) => [a.id, 10000]));
  outcomes.forEach((o, i) => {
    const job = jobs[i];
    if (o.status !== 'fulfilled' || job === undefined) return;
    expected.set(job.from.id, (expected.get(job.from.id) ?? 0) - job.minor);
    expected.set(job.to.id, (expected.get(job.to.id) ?? 0) + job.minor);
  });
  let total = 0;
  for (const account of accounts) {
    const balance = await balanceOf(database, account.id);
    total += balance;
    t.equal(balance, expected.get(account.id), `account ${account.number} holds exactly what its transfers left`);
  }
  t.equal(total, initial, 'no money created or destroyed');
  t.same(await verifyLedger(database), [], 'ledger:verify is clean, events included');
  const { rows } = await sql<{ n: string }>`select count(*)::text as n from transfers`.execute(database.db);
  t.equal(Number(rows[0]?.n), done, 'one transfer row per success, none for a refusal');
  const events = await sql<{ n: string }>`select count(*)::text as n from outbox where type = 'bank.transaction.posted'`.execute(database.db);
  t.equal(Number(events.rows[0]?.n), 20 + 2 * done, 'one event per line: the 20 deposits and two per transfer');

  // ledger:verify names a change without its event, and an event without its change.
  const [first, second] = accounts as [Account, Account];
  await sql`delete from outbox where account_id = ${first.id} and sequence = 2`.execute(database.db);
  await sql`update outbox set sequence = sequence + 1000 where account_id = ${second.id} and sequence = 1`.execute(database.db);
  t.match(
    (await verifyLedger(database)).filter((v) => v.check === 'events').map((v) => v.detail),
    [
      new RegExp(`^account ${first.id} is at version \\d+ but has \\d+ events`),
      new RegExp(`^line .* \\(account ${first.id}, sequence 2\\) has no event at its sequence$`),
      new RegExp(`^event .* \\(bank.account.opened, sequence 1001\\) is about account ${second.id} at version`),
    ],
  );
});

await t.test('double spend: 32 concurrent withdrawals of 9.00 from 10.00, 50 rounds: exactly one succeeds each time', async (t) => {
  const { banking, database } = await bank(t);
  const owner = await aCustomer(banking);
  const account = await anAccountWith(banking, owner.id, '10.00');
  const unexpected: string[] = [];
  let rounds = 0;
  for (let round = 0; round < 50; round++) {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 32 }, () => banking.postTransaction.execute({ userId: owner.id, accountId: account.id, type: 'RETRAIT', amount: '9.00' })),
    );
    const succeeded = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [codeOf(o.reason)] : []));
    if (succeeded !== 1) unexpected.push(`round ${round}: ${succeeded} withdrawals succeeded`);
    unexpected.push(...refusals.filter((c) => c !== 'insufficient_funds').map((c) => `round ${round}: ${c}`));
    if (succeeded === 1) rounds++;
    await banking.postTransaction.execute({ userId: owner.id, accountId: account.id, type: 'DEPOT', amount: '9.00' });
  }
  t.same(unexpected, [], 'every round: one withdrawal, 31 insufficient_funds, nothing else');
  t.equal(rounds, 50);
  t.equal(await balanceOf(database, account.id), 1000, 'the balance is back to 10.00');
  t.same(await verifyLedger(database), [], 'ledger:verify is clean');
});

await t.test('10 concurrent openings by one user: exactly 5 accounts; 10 registrations of one email: exactly one user', async (t) => {
  const { banking, database } = await bank(t);
  const owner = await aCustomer(banking);
  const openings = await Promise.allSettled(Array.from({ length: 10 }, () => banking.openAccount.execute({ userId: owner.id, type: 'EPARGNE' })));
  t.equal(openings.filter((o) => o.status === 'fulfilled').length, 5, 'five opened');
  t.same(
    openings.flatMap((o) => (o.status === 'rejected' ? [codeOf(o.reason)] : [])),
    Array(5).fill('account_limit_reached'),
    'the other five refused with account_limit_reached',
  );
  t.equal(await database.uow.run((tx) => tx.accounts.countOpenByOwner(owner.id)), 5);

  const email = `Same.Person-${randomUUID()}@Example.test`;
  const registrations = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) =>
      banking.registerUser.execute({ email: i % 2 ? email : `  ${email.toUpperCase()} `, password: 'correct horse battery', fullName: `Twin ${i}` }),
    ),
  );
  t.equal(registrations.filter((o) => o.status === 'fulfilled').length, 1, 'one registered');
  t.same(
    registrations.flatMap((o) => (o.status === 'rejected' ? [codeOf(o.reason)] : [])),
    Array(9).fill('email_taken'),
    'the nine others refused with email_taken',
  );
  const { rows } = await sql<{ n: string }>`select count(*)::text as n from users where email = ${email.toLowerCase()}`.execute(database.db);
  t.equal(rows[0]?.n, '1', 'one row for the email');
});

await t.test('the same Idempotency-Key 20 times at once moves money once', async (t) => {
  const { banking, database } = await bank(t);
  const owner = await aCustomer(banking);
  const payee = await aCustomer(banking);
  const from = await anAccountWith(banking, owner.id, '100.00');
  const to = await anAccountWith(banking, payee.id, '0');
  const command = { userId: owner.id, fromAccountId: from.id, toAccountNumber: to.number, amount: '12.50', idempotencyKey: `key-${randomUUID()}` };

  const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => banking.transferMoney.execute(command)));
  const values = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [codeOf(o.reason)] : []));
  t.same(refusals.filter((c) => c !== 'idempotency_in_progress'), [], 'the only refusal is idempotency_in_progress');
  t.equal(values.filter((v) => !v.replayed).length, 1, 'exactly one call ran the transfer');
  t.equal(new Set(values.map((v) => v.value.id)).size, 1, 'every answer names the same transfer');

  const again = await banking.transferMoney.execute(command);
  t.equal(again.replayed, true, 'a later retry replays');
  t.equal(again.value.id, values[0]?.value.id);
  t.equal(await balanceOf(database, from.id), 10000 - 1250, 'debited once');
  t.equal(await balanceOf(database, to.id), 1250, 'credited once');
  const { rows } = await sql<{ n: string }>`select count(*)::text as n from transfers`.execute(database.db);
  t.equal(rows[0]?.n, '1', 'one transfer row');
  t.same(await verifyLedger(database), [], 'ledger:verify is clean');
});

await t.test('text PostgreSQL cannot store (U+0000) is bad input, never a database error', async (t) => {
  const { banking } = await bank(t);
  const register = (email: string, fullName: string) => banking.registerUser.execute({ email, password: 'correct horse battery', fullName });
  await t.rejects(register(`nul\u0000${randomUUID()}@example.test`, 'Ada'), { code: 'validation_failed' }, 'an email with NUL');
  await t.rejects(register(`${randomUUID()}@example.test`, 'Ada\u0000Lovelace'), { code: 'validation_failed' }, 'a name with NUL');
  await t.rejects(banking.login.execute({ email: 'nul\u0000@example.test', password: 'correct horse battery' }), { code: 'invalid_credentials' }, 'a login with NUL');
});
