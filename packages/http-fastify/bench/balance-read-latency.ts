/**
 * Balance-read latency over HTTP, with and without the cache: starts the built API
 * (dist/main.js) against PostgreSQL once per mode, and drives GET /accounts/{id}/balance with
 * autocannon. Prints p50/p99 latency, req/s and the hit ratio from /metrics.
 *
 *   pnpm --filter @banking/http-fastify bench:balance
 *
 * Environment: BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres; a database is
 * created and dropped), BENCH_REDIS_URL (redis://127.0.0.1:6379/0; keys under a random prefix,
 * deleted after), BENCH_DURATION seconds per mode (10), BENCH_CONNECTIONS (16), BENCH_MODES
 * (comma-separated subset of the mode names below).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

interface Histogram {
  readonly p50: number;
  readonly p99: number;
  readonly average: number;
}
interface AutocannonResult {
  readonly latency: Histogram;
  readonly requests: Histogram & { readonly total: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
}) => Promise<AutocannonResult>;

// autocannon ships no types: the part used here is typed above.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const run = promisify(execFile);

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const POSTGRES_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';
const DURATION = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 16);

interface Mode {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
  /** The /metrics gauge holding the hit ratio, when there is a cache. */
  readonly ratioMetric?: string;
}

const prefix = `bench:balance:${randomBytes(6).toString('hex')}:`;
const MODES: readonly Mode[] = [
  { name: 'redis-cache', env: { REDIS_URL, REDIS_KEY_PREFIX: prefix }, ratioMetric: 'banking_redis_cache_hit_ratio' },
  { name: 'redis-no-cache', env: { REDIS_URL, REDIS_KEY_PREFIX: prefix, CACHE_TTL_SECONDS: '0' } },
  { name: 'in-process-cache', env: {}, ratioMetric: 'banking_cache_hit_ratio' },
  { name: 'no-redis-no-cache', env: { CACHE_TTL_SECONDS: '0' } },
];

function psql(url: string, sql: string): Promise<unknown> {
  return run('psql', [url, '-X', '-v', 'ON_ERROR_STOP=1', '-tAq', '-c', sql], { env: { ...process.env, PGCONNECT_TIMEOUT: '5' } });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function json(base: string, method: string, path: string, body?: unknown, token?: string): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token !== undefined && { authorization: `Bearer ${token}` }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** A string field of a JSON object answer: the bench stops when there is none. */
function field(answer: unknown, name: string): string {
  const value: unknown = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string') throw new Error(`no string ${name} in ${JSON.stringify(answer)}`);
  return value;
}

async function metric(base: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function startApi(env: Readonly<Record<string, string>>): Promise<{ base: string; child: ChildProcess; cwd: string }> {
  const port = await freePort();
  const cwd = await mkdtemp(join(tmpdir(), 'bench-balance-'));
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      SECRET_KEY: randomBytes(48).toString('base64url'),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '1000000',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, child, cwd };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the API did not start within 60 s');
}

async function stopApi(api: { child: ChildProcess; cwd: string }): Promise<void> {
  if (api.child.exitCode === null) {
    const exited = new Promise((resolve) => api.child.once('exit', resolve));
    api.child.kill('SIGTERM');
    await exited;
  }
  await rm(api.cwd, { recursive: true, force: true });
}

interface Row {
  readonly mode: string;
  readonly reqPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly average: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly hitRatio: string;
}

async function measure(mode: Mode, databaseUrl: string): Promise<Row> {
  const api = await startApi({ DATABASE_URL: databaseUrl, ...mode.env });
  try {
    const email = `bench-${randomBytes(6).toString('hex')}@example.com`;
    const password = 'bench-password-1234';
    await json(api.base, 'POST', '/api/v1/auth/register', { email, password, full_name: 'Bench' });
    const token = field(await json(api.base, 'POST', '/api/v1/auth/login', { email, password }), 'access_token');
    const accountId = field(await json(api.base, 'POST', '/api/v1/accounts', { account_type: 'COURANT' }, token), 'id');
    await json(api.base, 'POST', `/api/v1/accounts/${accountId}/transactions`, { type: 'DEPOT', amount: '1000.00' }, token);
    const options = { url: `${api.base}/api/v1/accounts/${accountId}/balance`, headers: { authorization: `Bearer ${token}` } };
    await autocannon({ ...options, connections: CONNECTIONS, duration: 2 }); // warm-up (JIT, pools, cache)
    const result = await autocannon({ ...options, connections: CONNECTIONS, duration: DURATION });
    const ratio = mode.ratioMetric === undefined ? undefined : await metric(api.base, mode.ratioMetric);
    return {
      mode: mode.name,
      reqPerSec: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      average: result.latency.average,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      hitRatio: ratio === undefined ? '-' : ratio.toFixed(4),
    };
  } finally {
    await stopApi(api);
  }
}

async function deletePrefix(): Promise<void> {
  const { stdout } = await run('redis-cli', ['-u', REDIS_URL, '--scan', '--pattern', `${prefix}*`]);
  const keys = stdout.split('\n').filter((k) => k !== '');
  for (let i = 0; i < keys.length; i += 500) await run('redis-cli', ['-u', REDIS_URL, 'UNLINK', ...keys.slice(i, i + 500)]);
}

const selected = (process.env['BENCH_MODES'] ?? '').split(',').filter((m) => m !== '');
const modes = selected.length === 0 ? MODES : MODES.filter((m) => selected.includes(m.name));
const database = `bench_balance_${randomBytes(6).toString('hex')}`;
const databaseUrl = Object.assign(new URL(POSTGRES_URL), { pathname: `/${database}` }).toString();

console.log(`balance reads: ${CONNECTIONS} connections, ${DURATION} s per mode (after a 2 s warm-up); ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await psql(POSTGRES_URL, `create database ${database}`);
const rows: Row[] = [];
try {
  for (const mode of modes) {
    const row = await measure(mode, databaseUrl);
    rows.push(row);
    console.log(
      `${row.mode.padEnd(18)} ${row.reqPerSec.toFixed(0).padStart(7)} req/s   p50 ${String(row.p50).padStart(4)} ms   p99 ${String(row.p99).padStart(4)} ms   avg ${row.average.toFixed(2).padStart(6)} ms   non-2xx ${row.non2xx}   errors ${row.errors}   hit ratio ${row.hitRatio}`,
    );
  }
} finally {
  await psql(POSTGRES_URL, `drop database if exists ${database} with (force)`);
  await deletePrefix().catch(() => undefined);
}
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.table(rows);
