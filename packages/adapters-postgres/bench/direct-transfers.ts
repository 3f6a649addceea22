// Single-transfer transactions per second through the adapter's unit of work, no HTTP: the
// domain's TransferMoney use case (lock both accounts in one statement, two balance updates,
// the transfer row, two ledger lines, commit) called by CONCURRENCY callers in a closed loop.
//
//   pnpm bench:adapter                       # both targets, 10 s each, 16 callers
//   BENCH_TARGETS=pglite BENCH_SECONDS=5 pnpm bench:adapter
//
// The PostgreSQL target creates a database with a random name on BENCH_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/postgres) and drops it afterwards; PGlite runs in a
// temporary data directory. The ledger is verified after each run.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, verifyLedger, type Database } from '@banking/adapters-postgres';
import type { Account, Banking } from '@banking/domain';
import { bankOn } from '@banking/testing';
import pg from 'pg';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const ACCOUNTS = Number(process.env['BENCH_ACCOUNTS'] ?? 32);
const POOL_MAX = Number(process.env['BENCH_POOL_MAX'] ?? 10);
const TARGETS = (process.env['BENCH_TARGETS'] ?? 'postgres,pglite').split(',').map((s) => s.trim());
const ADMIN_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Result {
  readonly target: string;
  readonly transfers: number;
  readonly refused: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly violations: number;
}

async function setUp(banking: Banking): Promise<Account[]> {
  const accounts: Account[] = [];
  while (accounts.length < ACCOUNTS) {
    const user = await banking.registerUser.execute({ email: `bench-${randomUUID()}@example.test`, password: 'bench password', fullName: 'Bench' });
    for (let i = 0; i < 5 && accounts.length < ACCOUNTS; i++) {
      const account = await banking.openAccount.execute({ userId: user.id, type: 'COURANT' });
      await banking.postTransaction.execute({ userId: user.id, accountId: account.id, type: 'DEPOT', amount: '1000000' });
      accounts.push(account);
    }
  }
  return accounts;
}

async function measure(target: string, database: Database): Promise<Result> {
  const banking = bankOn(database.uow);
  const accounts = await setUp(banking);
  const pick = () => accounts[Math.floor(Math.random() * accounts.length)] as Account;
  const latencies: number[] = [];
  let refused = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const caller = async () => {
    while (performance.now() < deadline) {
      const from = pick();
      let to = pick();
      while (to.id === from.id) to = pick();
      const t0 = performance.now();
      try {
        await banking.transferMoney.execute({ userId: from.ownerId, fromAccountId: from.id, toAccountNumber: to.number, amount: '0.01' });
        latencies.push(performance.now() - t0);
      } catch (error) {
        refused++;
        if (refused <= 3) console.error(`${target}: transfer refused: ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, caller));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const violations = (await verifyLedger(database)).length;
  return { target, transfers: latencies.length, refused, seconds, p50: at(0.5), p99: at(0.99), violations };
}

async function onPostgres(): Promise<Result> {
  const name = `banking_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    const database = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', poolMax: POOL_MAX });
    try {
      return await measure(`postgres (pool ${POOL_MAX})`, database);
    } finally {
      await database.close();
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function onPglite(): Promise<Result> {
  const dataDir = await mkdtemp(join(tmpdir(), 'banking-bench-'));
  try {
    const database = await openDatabase({ dataDir });
    try {
      return await measure('pglite (embedded)', database);
    } finally {
      await database.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

console.log(`direct transfers: ${CONCURRENCY} concurrent callers, ${ACCOUNTS} accounts, ${SECONDS} s per target, node ${process.version}, ${cpus().length} CPUs`);
const results: Result[] = [];
for (const target of TARGETS) {
  if (target === 'postgres') results.push(await onPostgres());
  else if (target === 'pglite') results.push(await onPglite());
  else throw new Error(`unknown target ${target} (postgres, pglite)`);
}
for (const r of results) {
  console.log(
    `${r.target.padEnd(20)} ${(r.transfers / r.seconds).toFixed(0).padStart(6)} transfers/s  ` +
      `(${r.transfers} in ${r.seconds.toFixed(1)} s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ` +
      `${r.refused} refused, ledger ${r.violations === 0 ? 'clean' : `${r.violations} VIOLATIONS`})`,
  );
}
if (results.some((r) => r.violations > 0 || r.refused > 0)) process.exitCode = 1;
