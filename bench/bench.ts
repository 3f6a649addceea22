// `pnpm bench`: the raw PostgreSQL ceiling (pgbench) and the API driven over HTTP (autocannon),
// in one run on this machine, then a Markdown report with a PNG chart in bench/results/.
//
//   pnpm bench                       # ceiling, API with 1 and 2 workers (1k accounts), embedded PGlite
//   pnpm bench --big                 # also 1M accounts / 10M ledger lines seeded with SQL
//   pnpm bench --seconds=20 --label=after-pool
//   pnpm bench --runs=api-1w --scenarios=transfer,balance --cpu-prof   # profile the API
//   pnpm bench --api-root=/tmp/older-checkout --label=before          # the API built elsewhere
//
// Needs PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres, a
// user that may create databases), pgbench, psql and redis-server on PATH. Scratch databases and
// the private Redis are removed at the end, also on failure.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiClient, inBatches } from './lib/api-client.js';
import { chartSvg, renderPng } from './lib/chart.js';
import { measureLoad, type LoadResult } from './lib/load.js';
import { measureApiTransferSql, measureCeiling, type Ceiling } from './lib/pgbench.js';
import type { ProcessGroup } from './lib/proc-sampler.js';
import { freePort, startApi, startHttpFloor, startRedis } from './lib/processes.js';
import { chartSpec, headlines, reportMarkdown, type HistoryEntry } from './lib/report.js';
import type { ApiRun, BenchRun, MachineInfo } from './lib/results.js';
import { allScenarios, BENCH_PASSWORD, type BenchUser, type Population } from './lib/scenarios.js';
import { ACCOUNTS_PER_USER, accountNumber, seed, seededEmail, seededId } from './lib/seed.js';
import { createDatabase, databaseUrl, dropDatabase, pgServerFromUrl, psql, run } from './lib/shell.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');
const TMP = join(ROOT, 'bench', 'tmp');
const PREFIX = '/api/v1';

const { values: args } = parseArgs({
  options: {
    big: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    label: { type: 'string', default: 'run' },
    runs: { type: 'string' },
    scenarios: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'no-report': { type: 'boolean', default: false },
    'pool-max': { type: 'string' },
    'api-root': { type: 'string' },
    /** Rewrites the dated report and chart from a saved run (bench/results/runs/<file>.json), e.g. after editing the notes. */
    'report-only': { type: 'string' },
  },
});

const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const ACTIVE_USERS = 200;
const ADMIN_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const server = pgServerFromUrl(ADMIN_URL);
const wantedRuns = args.runs?.split(',').map((s) => s.trim());
const wantedScenarios = args.scenarios?.split(',').map((s) => s.trim());
/**
 * Where the API under test runs from: a snapshot of this checkout's build taken at start (other
 * work in the tree may rebuild dist/ meanwhile), or another built checkout given with --api-root
 * (e.g. an older commit, for before/after figures).
 */
let API_ROOT = args['api-root'] !== undefined ? resolve(args['api-root']) : ROOT;

/** Copies every package's dist/ (and links node_modules) into bench/tmp/api-snapshot. */
async function snapshotBuild(): Promise<string> {
  const snapshot = join(TMP, 'api-snapshot');
  rmSync(snapshot, { recursive: true, force: true });
  mkdirSync(join(snapshot, 'packages'), { recursive: true });
  await run('cp', ['-a', join(ROOT, 'package.json'), snapshot]);
  // Hard links: instant, and the workspace's node_modules is not edited by the bench.
  await run('cp', ['-al', join(ROOT, 'node_modules'), snapshot]);
  for (const name of readdirSync(join(ROOT, 'packages'))) {
    const from = join(ROOT, 'packages', name);
    if (!existsSync(join(from, 'dist'))) continue;
    const to = join(snapshot, 'packages', name);
    mkdirSync(to);
    await run('cp', ['-a', join(from, 'package.json'), join(from, 'dist'), to]);
    // pnpm's links to workspace siblings and to the store are relative: they resolve in the snapshot too.
    if (existsSync(join(from, 'node_modules'))) await run('cp', ['-a', join(from, 'node_modules'), to]);
  }
  return snapshot;
}
const wants = (run: string) => wantedRuns === undefined || wantedRuns.includes(run);

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const cleanups: (() => Promise<void>)[] = [];

async function machineInfo(): Promise<MachineInfo> {
  const version = async (program: string, programArgs: string[]) =>
    (await run(program, programArgs, { allowFailure: true }).catch(() => ({ stdout: 'not found' }))).stdout.trim();
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: totalmem() / 2 ** 30,
    kernel: release(),
    node: process.versions.node,
    postgres: await psql(server, 'postgres', 'show server_version;'),
    pgbench: await version('pgbench', ['--version']),
    redis: (await version('redis-server', ['--version'])).replace(/^Redis server v=(\S+).*/s, '$1'),
    gitCommit: await version('git', ['-C', ROOT, 'rev-parse', 'HEAD']),
    gitDirty: (await version('git', ['-C', ROOT, 'status', '--porcelain', '--', 'packages'])).length > 0,
  };
}

function scratchName(what: string): string {
  return `bench_${what}_${randomBytes(4).toString('hex')}`;
}

async function ledgerVerify(env: Record<string, string>): Promise<string> {
  const result = await run(process.execPath, [join(API_ROOT, 'packages/adapters-postgres/dist/cli/ledger-verify.js')], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    allowFailure: true,
  });
  const lines = `${result.stdout}\n${result.stderr}`.trim().split('\n');
  return result.code === 0 ? (lines.at(-1) ?? '') : `FAILED (exit ${result.code}): ${lines.slice(0, 5).join(' / ')}`;
}

interface ApiMode {
  readonly id: string;
  readonly title: string;
  readonly workers: number;
  readonly accounts: number;
  readonly linesPerAccount: number;
  readonly scenarios?: readonly string[];
}

function apiEnv(port: number, workers: number): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    SECRET_KEY: randomBytes(48).toString('base64url'),
    // Raised so that the load measures the API, not the limiter; every request is still counted.
    RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    API_WORKERS: String(workers),
    ...(args['pool-max'] !== undefined && { DB_POOL_MAX: args['pool-max'] }),
  };
}

async function runScenarios(baseUrl: string, population: Population, groups: Record<string, ProcessGroup>, only?: readonly string[]): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const scenario of allScenarios(PREFIX, population)) {
    if (only !== undefined && !only.some((name) => scenario.name.startsWith(name))) continue;
    if (wantedScenarios !== undefined && !wantedScenarios.some((name) => scenario.name === name || scenario.name.startsWith(`${name} `))) continue;
    log(`  ${scenario.name}: ${WARMUP} s warm-up, ${SECONDS} s measured, ${CONNECTIONS} connections`);
    const result = await measureLoad(baseUrl, scenario, { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP, groups });
    log(
      `  ${scenario.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, max ${result.maxMs.toFixed(1)} ms, errors ${result.errors} ${JSON.stringify(result.statuses)}, API ${result.usage.groups['api']?.cores.toFixed(2)} cores`,
    );
    results.push(result);
  }
  return results;
}

function profileArgs(id: string): string[] {
  if (!args['cpu-prof']) return [];
  const dir = join(TMP, 'profiles', `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}`);
  mkdirSync(dir, { recursive: true });
  log(`CPU profiles of the API go to ${dir}`);
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

interface PreparedApi {
  readonly baseUrl: string;
  readonly population: Population;
  readonly groups: Record<string, ProcessGroup>;
  readonly seeded: { readonly ledgerLines: number; readonly seconds: number };
  /** Stops the API, verifies the ledger, drops the database; returns the ledger:verify line. */
  finish(): Promise<string>;
}

/** A fresh PostgreSQL database seeded with SQL, and the API on it (Redis private, `mode.workers` workers), users logged in. */
async function preparePostgres(mode: ApiMode, redisUrl: string): Promise<PreparedApi> {
  const database = scratchName(mode.id.replace(/-/g, '_'));
  log(`${mode.title}: database ${database}`);
  await createDatabase(server, database);
  const dropIt = () => dropDatabase(server, database);
  cleanups.push(dropIt);
  const port = await freePort();
  const env = { ...apiEnv(port, mode.workers), DATABASE_URL: databaseUrl(server, database), REDIS_URL: redisUrl };
  const logFile = join(TMP, `api-${mode.id}.log`);
  let api = await startApi({ env, logFile, root: API_ROOT, cwd: TMP });
  const stopIt = () => api.stop();
  cleanups.push(stopIt);
  const client = new ApiClient(api.baseUrl, PREFIX);
  // One real registration gives the password hash (the API's own scrypt format) every seeded user gets.
  await client.register('bench-template@example.test', BENCH_PASSWORD);
  const passwordHash = await psql(server, database, "select password_hash from users where email = 'bench-template@example.test';");
  log(`${mode.title}: seeding ${mode.accounts.toLocaleString('en')} accounts × ${mode.linesPerAccount} lines with SQL`);
  const seeded = await seed(server, database, { accounts: mode.accounts, linesPerAccount: mode.linesPerAccount, passwordHash }, log);
  log(`${mode.title}: seeded in ${seeded.seconds.toFixed(1)} s`);
  if (args['cpu-prof']) {
    // Profile only the load, not the set-up: restart the API now that the data is in.
    await api.stop();
    api = await startApi({ env, logFile, root: API_ROOT, cwd: TMP, nodeArgs: profileArgs(mode.id) });
  }
  const users = seeded.users;
  const active = Array.from({ length: Math.min(ACTIVE_USERS, users) }, (_, k) => 1 + Math.floor((k * users) / Math.min(ACTIVE_USERS, users)));
  log(`${mode.title}: logging in ${active.length} users`);
  const loginClient = new ApiClient(api.baseUrl, PREFIX);
  const benchUsers = await inBatches(active, 8, async (u): Promise<BenchUser> => {
    const token = await loginClient.login(seededEmail(u), BENCH_PASSWORD);
    const accounts = Array.from({ length: ACCOUNTS_PER_USER }, (_, i) => {
      const ordinal = (u - 1) * ACCOUNTS_PER_USER + i + 1;
      return { id: seededId('account', ordinal), number: accountNumber(ordinal) };
    });
    return { email: seededEmail(u), token, accounts };
  });
  const population: Population = {
    users: benchUsers,
    totalAccounts: mode.accounts,
    destination(notThis) {
      for (;;) {
        const number = accountNumber(1 + Math.floor(Math.random() * mode.accounts));
        if (number !== notThis) return number;
      }
    },
  };
  return {
    baseUrl: api.baseUrl,
    population,
    groups: { api: { kind: 'tree', root: api.pid }, postgres: { kind: 'name', comm: 'postgres' }, redis: { kind: 'name', comm: 'redis-server' } },
    seeded,
    async finish() {
      try {
        await api.stop();
        const verified = await ledgerVerify({ DATABASE_URL: env.DATABASE_URL });
        log(`${mode.title}: ${verified}`);
        return verified;
      } finally {
        await dropIt();
        cleanups.splice(cleanups.indexOf(dropIt), 1);
        cleanups.splice(cleanups.indexOf(stopIt), 1);
      }
    },
  };
}

function apiRun(mode: ApiMode, prepared: PreparedApi, results: readonly LoadResult[], verified: string): ApiRun {
  return {
    id: mode.id,
    title: mode.title,
    mode: 'postgres',
    workers: mode.workers,
    poolMax: args['pool-max'] !== undefined ? Number(args['pool-max']) : undefined,
    accounts: mode.accounts,
    ledgerLines: prepared.seeded.ledgerLines,
    seedSeconds: prepared.seeded.seconds,
    results,
    ledgerVerify: verified,
  };
}

/** The API on a fresh PostgreSQL database seeded with SQL, Redis private, `mode.workers` workers. */
async function runPostgresMode(mode: ApiMode, redisUrl: string): Promise<ApiRun> {
  const prepared = await preparePostgres(mode, redisUrl);
  let results: LoadResult[];
  let verified: string;
  try {
    results = await runScenarios(prepared.baseUrl, prepared.population, prepared.groups, mode.scenarios);
  } finally {
    verified = await prepared.finish();
  }
  return apiRun(mode, prepared, results, verified);
}

/** Averages the rounds of one scenario (throughput, latencies, CPU); statuses and errors are summed. */
function mergeRounds(rounds: readonly LoadResult[]): LoadResult {
  const first = rounds[0];
  if (first === undefined) throw new Error('no rounds');
  const mean = (pick: (r: LoadResult) => number) => rounds.reduce((sum, r) => sum + pick(r), 0) / rounds.length;
  const statuses: Record<string, number> = {};
  for (const r of rounds) for (const [status, count] of Object.entries(r.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  const groups: Record<string, { cores: number; cpuSeconds: number; peakRssMiB: number }> = {};
  for (const name of Object.keys(first.usage.groups)) {
    groups[name] = {
      cores: mean((r) => r.usage.groups[name]?.cores ?? 0),
      cpuSeconds: mean((r) => r.usage.groups[name]?.cpuSeconds ?? 0),
      peakRssMiB: Math.max(...rounds.map((r) => r.usage.groups[name]?.peakRssMiB ?? 0)),
    };
  }
  return {
    ...first,
    seconds: rounds.reduce((sum, r) => sum + r.seconds, 0),
    requests: rounds.reduce((sum, r) => sum + r.requests, 0),
    rps: mean((r) => r.rps),
    p50Ms: mean((r) => r.p50Ms),
    p99Ms: mean((r) => r.p99Ms),
    maxMs: Math.max(...rounds.map((r) => r.maxMs)),
    statuses,
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    loadBefore: mean((r) => r.loadBefore),
    usage: { seconds: mean((r) => r.usage.seconds), machineBusy: mean((r) => r.usage.machineBusy), groups },
  };
}

/**
 * Does the cost grow with the data? The same API on a small and on a big database, both up at
 * once, each scenario driven on one then the other, alternately, `rounds` times: both sides see
 * the same machine (other work on it moves both alike).
 */
async function runScaleComparison(small: ApiMode, big: ApiMode, redisUrl: string, rounds: number): Promise<ApiRun[]> {
  const a = await preparePostgres(small, redisUrl);
  let b: PreparedApi | undefined;
  const results: [LoadResult[], LoadResult[]] = [[], []];
  let verifiedA: string;
  let verifiedB = 'not verified';
  try {
    b = await preparePostgres(big, redisUrl);
    // Reads first: a transaction page counts the account's lines, and the writes below add ~40
    // lines to each of the 1k control's accounts but almost none to each of the 1M: read after
    // them, the pages would compare history per account, not the size of the database.
    for (const scenarioName of ['balance', 'transactions', 'transfer', 'deposit']) {
      const perSide: [LoadResult[], LoadResult[]] = [[], []];
      for (let round = 0; round < rounds; round++) {
        for (const [side, prepared] of [a, b].entries()) {
          const scenario = allScenarios(PREFIX, prepared.population).find((s) => s.name.startsWith(scenarioName));
          if (scenario === undefined) continue;
          const result = await measureLoad(prepared.baseUrl, scenario, { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP, groups: prepared.groups });
          log(`  ${side === 0 ? small.title : big.title}: ${scenario.name} round ${round + 1}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(1)} ms, errors ${result.errors}`);
          perSide[side as 0 | 1].push(result);
        }
      }
      results[0].push(mergeRounds(perSide[0]));
      results[1].push(mergeRounds(perSide[1]));
    }
  } finally {
    verifiedA = await a.finish();
    if (b) verifiedB = await b.finish();
  }
  return [apiRun(small, a, results[0], verifiedA), apiRun(big, b, results[1], verifiedB)];
}

/** The zero-install mode: PGlite in a temporary DATA_DIR, in-process cache and limits; data made through the API. */
async function runEmbeddedMode(): Promise<ApiRun> {
  const dataDir = join(TMP, `pglite-${randomBytes(4).toString('hex')}`);
  const removeIt = () => rm(dataDir, { recursive: true, force: true });
  cleanups.push(removeIt);
  const port = await freePort();
  const env = { ...apiEnv(port, 1), DATA_DIR: dataDir };
  log('Embedded (PGlite): starting (the first start initialises the data directory)');
  const api = await startApi({ env, logFile: join(TMP, 'api-embedded.log'), root: API_ROOT, cwd: TMP, nodeArgs: profileArgs('embedded') });
  try {
    const client = new ApiClient(api.baseUrl, PREFIX);
    const userCount = 20;
    log(`Embedded (PGlite): registering ${userCount} users, ${userCount * ACCOUNTS_PER_USER} accounts through the API`);
    const users = await inBatches(
      Array.from({ length: userCount }, (_, i) => i + 1),
      4,
      async (u): Promise<BenchUser> => {
        const email = `bench-embedded-${u}@example.test`;
        await client.register(email, BENCH_PASSWORD);
        const token = await client.login(email, BENCH_PASSWORD);
        const accounts = [];
        for (let i = 0; i < ACCOUNTS_PER_USER; i++) {
          const account = await client.openAccount(token);
          await client.deposit(token, account.id, '100000');
          accounts.push(account);
        }
        return { email, token, accounts };
      },
    );
    const numbers = users.flatMap((u) => u.accounts.map((a) => a.number));
    const population: Population = {
      users,
      totalAccounts: numbers.length,
      destination(notThis) {
        for (;;) {
          const number = numbers[Math.floor(Math.random() * numbers.length)] as string;
          if (number !== notThis) return number;
        }
      },
    };
    const results = await runScenarios(api.baseUrl, population, { api: { kind: 'tree', root: api.pid } });
    await api.stop();
    const verified = await ledgerVerify({ DATA_DIR: dataDir });
    log(`Embedded (PGlite): ${verified}`);
    return {
      id: 'embedded',
      title: 'Embedded (PGlite), 1 process',
      mode: 'pglite',
      workers: 1,
      poolMax: undefined,
      accounts: numbers.length,
      ledgerLines: numbers.length,
      seedSeconds: undefined,
      results,
      ledgerVerify: verified,
    };
  } finally {
    await api.stop();
    await removeIt();
    cleanups.splice(cleanups.indexOf(removeIt), 1);
  }
}

/** The API's transfer statements through pgbench on a scratch copy of the API's schema (1k accounts, seeded as for the API). */
async function apiTransferSqlCeiling(): Promise<NonNullable<Ceiling['apiTransferSql']>> {
  const database = scratchName('api_sql');
  const accounts = 1_000;
  await createDatabase(server, database);
  const dropIt = () => dropDatabase(server, database);
  cleanups.push(dropIt);
  try {
    const env = { PATH: process.env['PATH'] ?? '', DATABASE_URL: databaseUrl(server, database) };
    await run(process.execPath, [join(API_ROOT, 'packages/adapters-postgres/dist/cli/migrate.js')], { env });
    await seed(server, database, { accounts, linesPerAccount: 10, passwordHash: 'not-a-login' }, log);
    const result = await measureApiTransferSql(server, database, accounts, { clients: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP }, log);
    const verified = await ledgerVerify({ DATABASE_URL: env.DATABASE_URL });
    log(`pgbench: the API's transfer statements: ${verified}`);
    return { ...result, accounts, ledgerVerify: verified };
  } finally {
    await dropIt();
    cleanups.splice(cleanups.indexOf(dropIt), 1);
  }
}

/** A bare node:http server under the same load as the API's cached balance reads. */
async function httpFloor(): Promise<LoadResult> {
  const floor = await startHttpFloor();
  cleanups.push(() => floor.stop());
  try {
    log(`HTTP floor (bare node:http, fixed body): ${WARMUP} s warm-up, ${SECONDS} s measured, ${CONNECTIONS} connections`);
    const result = await measureLoad(floor.baseUrl, { name: 'bare node:http', next: () => ({ method: 'GET', path: '/' }) }, {
      connections: CONNECTIONS,
      seconds: SECONDS,
      warmupSeconds: WARMUP,
      groups: { api: { kind: 'tree', root: floor.pid } },
    });
    log(`HTTP floor: ${result.rps.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, server ${result.usage.groups['api']?.cores.toFixed(2)} cores`);
    return result;
  } finally {
    await floor.stop();
  }
}

function readHistory(): HistoryEntry[] {
  const dir = join(RESULTS, 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, bench: JSON.parse(readFileSync(join(dir, file), 'utf8')) as BenchRun }));
}

function printSummary(bench: BenchRun): void {
  const lines: string[] = [''];
  if (bench.ceiling) {
    lines.push(`pgbench transfer: ${bench.ceiling.transfer.tps.toFixed(0)} tps    pgbench -S: ${bench.ceiling.selectOnly.tps.toFixed(0)} tps`);
  }
  for (const run of bench.runs) {
    lines.push(`${run.title}  (${run.ledgerVerify})`);
    for (const r of run.results) {
      lines.push(
        `  ${r.scenario.padEnd(28)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50Ms.toFixed(2).padStart(7)} ms   p99 ${r.p99Ms.toFixed(2).padStart(7)} ms   max ${r.maxMs.toFixed(1).padStart(7)} ms   errors ${r.errors}`,
      );
    }
  }
  lines.push('');
  for (const h of headlines(bench)) lines.push(`${h.label}: ${h.value.replace(/\*\*/g, '')}  [target ${h.target}: ${h.met ? 'met' : 'MISSED'}]`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function writeReport(bench: BenchRun): void {
  const date = bench.startedAt.slice(0, 10);
  const pngName = `${date}.png`;
  writeFileSync(join(RESULTS, pngName), renderPng(chartSvg(chartSpec(bench))));
  const notesFile = join(RESULTS, `${date}.notes.md`);
  const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : undefined;
  writeFileSync(join(RESULTS, `${date}.md`), reportMarkdown(bench, pngName, readHistory(), notes));
  log(`report: bench/results/${date}.md, chart: bench/results/${pngName}`);
}

async function main(): Promise<void> {
  if (args['report-only'] !== undefined) {
    writeReport(JSON.parse(readFileSync(resolve(args['report-only']), 'utf8')) as BenchRun);
    return;
  }
  mkdirSync(TMP, { recursive: true });
  mkdirSync(join(RESULTS, 'runs'), { recursive: true });
  const startedAt = new Date().toISOString();
  const machine = await machineInfo();
  if (args['api-root'] === undefined) API_ROOT = await snapshotBuild();
  log(`${machine.cores} cores, Node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}`);

  let ceiling: Ceiling | undefined;
  if (wants('pgbench')) {
    const database = scratchName('pgbench');
    cleanups.push(() => dropDatabase(server, database));
    ceiling = await measureCeiling(server, database, CONNECTIONS, SECONDS, log);
    ceiling = { ...ceiling, apiTransferSql: await apiTransferSqlCeiling(), httpFloor: await httpFloor() };
  }

  const runs: ApiRun[] = [];
  const modes: ApiMode[] = [
    { id: 'api-1w', title: 'API, 1 worker, 1k accounts', workers: 1, accounts: 1_000, linesPerAccount: 10 },
    { id: 'api-2w', title: 'API, 2 workers, 1k accounts', workers: 2, accounts: 1_000, linesPerAccount: 10 },
  ];
  const postgresModes = modes.filter((m) => wants(m.id));
  const scale = args.big && wants('api-1m');
  if (postgresModes.length > 0 || scale) {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    try {
      for (const mode of postgresModes) runs.push(await runPostgresMode(mode, redis.url));
      if (scale) {
        const rounds = 2;
        const small: ApiMode = { id: 'scale-1k', title: `1k accounts (control, alternated ×${rounds})`, workers: 1, accounts: 1_000, linesPerAccount: 10 };
        const big: ApiMode = { id: 'api-1m', title: `1M accounts, 10M lines (alternated ×${rounds})`, workers: 1, accounts: 1_000_000, linesPerAccount: 10 };
        runs.push(...(await runScaleComparison(small, big, redis.url, rounds)));
      }
    } finally {
      await redis.stop();
    }
  }
  if (wants('embedded')) runs.push(await runEmbeddedMode());

  const bench: BenchRun = {
    label: args.label,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: { seconds: SECONDS, warmupSeconds: WARMUP, connections: CONNECTIONS, big: args.big },
    machine,
    ceiling,
    runs,
  };
  printSummary(bench);
  if (args['no-report']) return;
  const partial = wantedRuns !== undefined || wantedScenarios !== undefined;
  const stamp = startedAt.replace(/[:.]/g, '-').slice(0, 19);
  const runFile = `${stamp}-${args.label.replace(/[^A-Za-z0-9_-]/g, '_')}.json`;
  writeFileSync(join(RESULTS, 'runs', runFile), `${JSON.stringify(bench, null, 2)}\n`);
  if (partial) {
    log(`figures: bench/results/runs/${runFile} (a partial run writes no report)`);
    return;
  }
  writeReport(bench);
  log(`figures: bench/results/runs/${runFile}`);
}

try {
  await main();
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}
