import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, dropDatabase, pgArgs, run, type PgServer } from './shell.js';
import type { LoadResult } from './load.js';
import { loadAverage, ProcSampler, type UsageReport } from './proc-sampler.js';

/** A file of bench/, from lib/ (the sources, run by the tests) or from dist/lib/ (the build). */
function benchFile(name: string): string {
  const lib = fileURLToPath(new URL('.', import.meta.url));
  return existsSync(join(lib, '..', name)) ? join(lib, '..', name) : join(lib, '..', '..', name);
}

/** The raw transfer: lock two accounts in id order, update both, two history rows, commit. */
export const TRANSFER_SCRIPT = benchFile('pgbench-transfer.sql');

/** The API's own transfer statements on the API's schema (see the file). */
export const API_TRANSFER_SCRIPT = benchFile('pgbench-api-transfer.sql');

export interface PgbenchResult {
  readonly name: string;
  readonly clients: number;
  readonly seconds: number;
  readonly tps: number;
  readonly latencyAvgMs: number;
  readonly failed: number;
  readonly loadBefore: number;
  readonly usage: UsageReport;
}

function figure(output: string, pattern: RegExp, what: string): number {
  const match = pattern.exec(output);
  if (!match?.[1]) throw new Error(`pgbench printed no ${what}:\n${output}`);
  return Number(match[1]);
}

async function pgbench(server: PgServer, database: string, name: string, args: readonly string[], clients: number, seconds: number): Promise<PgbenchResult> {
  const loadBefore = loadAverage();
  const sampler = new ProcSampler({ postgres: { kind: 'name', comm: 'postgres' }, pgbench: { kind: 'name', comm: 'pgbench' } });
  sampler.start();
  const { stdout, stderr } = await run('pgbench', [...pgArgs(server), '-n', '-c', String(clients), '-j', '2', '-T', String(seconds), ...args, database]);
  const usage = sampler.stop();
  const output = `${stdout}\n${stderr}`;
  return {
    name,
    clients,
    seconds,
    tps: figure(output, /tps = ([\d.]+)/, 'tps'),
    latencyAvgMs: figure(output, /latency average = ([\d.]+) ms/, 'latency'),
    failed: Number(/number of failed transactions: (\d+)/.exec(output)?.[1] ?? 0),
    loadBefore,
    usage,
  };
}

export interface Ceiling {
  /** pgbench's default (simple) query protocol: the ceiling the targets are stated against. */
  readonly transfer: PgbenchResult;
  readonly selectOnly: PgbenchResult;
  /** `-M prepared`: statements parsed once per connection, as the API sends them. Optional: the
   * report also reads saved runs that did not measure it. */
  readonly transferPrepared?: PgbenchResult;
  readonly selectOnlyPrepared?: PgbenchResult;
  readonly scale: number;
  /** pgbench-api-transfer.sql (-M prepared) on the API's schema: the API's transfer without HTTP or Node. */
  readonly apiTransferSql?: PgbenchResult & { readonly accounts: number; readonly ledgerVerify: string };
  /** A bare node:http server answering a fixed body, under the same load generator: the floor of any Node API here. */
  readonly httpFloor?: LoadResult;
}

/**
 * pgbench-api-transfer.sql with -M prepared in `database`, which holds the API's schema seeded
 * with `accounts` accounts (the caller migrates, seeds, verifies and drops it).
 */
export async function measureApiTransferSql(
  server: PgServer,
  database: string,
  accounts: number,
  options: { readonly clients: number; readonly seconds: number; readonly warmupSeconds: number },
  log: (line: string) => void,
): Promise<PgbenchResult> {
  const { clients, seconds, warmupSeconds } = options;
  // A freshly seeded database runs this at half speed for its first seconds: warm it up unmeasured.
  await pgbench(server, database, 'warm-up', ['-M', 'prepared', '-D', `accounts=${accounts}`, '-f', API_TRANSFER_SCRIPT], clients, warmupSeconds);
  log(`pgbench: the API's transfer statements, -M prepared, ${clients} clients, ${warmupSeconds} s warm-up then ${seconds} s`);
  const result = await pgbench(server, database, "the API's transfer statements, -M prepared", ['-M', 'prepared', '-D', `accounts=${accounts}`, '-f', API_TRANSFER_SCRIPT], clients, seconds);
  log(`pgbench: the API's transfer statements ${result.tps.toFixed(0)} tps, Postgres ${((result.usage.groups['postgres']?.cores ?? 0) / result.tps * 1e6).toFixed(0)} us CPU per transaction`);
  return result;
}

/**
 * The raw ceiling of this PostgreSQL: pgbench's own tables (scale 10: 1M accounts) in a scratch
 * database, the transfer script and the built-in select-only script, `clients` clients each.
 */
export async function measureCeiling(server: PgServer, database: string, clients: number, seconds: number, log: (line: string) => void): Promise<Ceiling> {
  const scale = 10;
  await createDatabase(server, database);
  try {
    log(`pgbench: initialising ${database} (scale ${scale})`);
    await run('pgbench', [...pgArgs(server), '-i', '-q', '-s', String(scale), database]);
    const measure = async (name: string, args: readonly string[]) => {
      log(`pgbench: ${name}, ${clients} clients, ${seconds} s`);
      const result = await pgbench(server, database, name, args, clients, seconds);
      log(`pgbench: ${name} ${result.tps.toFixed(0)} tps, Postgres ${((result.usage.groups['postgres']?.cores ?? 0) / result.tps * 1e6).toFixed(0)} us CPU per transaction`);
      return result;
    };
    const transfer = await measure('transfer', ['-f', TRANSFER_SCRIPT]);
    const selectOnly = await measure('select-only', ['-S']);
    const transferPrepared = await measure('transfer, -M prepared', ['-M', 'prepared', '-f', TRANSFER_SCRIPT]);
    const selectOnlyPrepared = await measure('select-only, -M prepared', ['-M', 'prepared', '-S']);
    return { transfer, selectOnly, transferPrepared, selectOnlyPrepared, scale };
  } finally {
    await dropDatabase(server, database);
  }
}
