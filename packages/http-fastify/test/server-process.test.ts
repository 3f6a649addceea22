import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { ensureBuilt, freePort, listensOn, PORT_TAKEN } from './support/api-process.js';
import { freshDatabase, requireServices } from './support/services.js';

/**
 * The real thing: `node packages/http-fastify/dist/main.js` (what `pnpm start` runs after `tsc -b`)
 * on a free port, the seed's flow over real HTTP, then SIGTERM: in-flight requests finish, the
 * process exits 0, and a restart finds every answered deposit. Embedded PGlite on an empty data dir,
 * and a fresh database on the PostgreSQL server.
 */

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const START_TIMEOUT_MS = 180_000;

interface Server {
  readonly base: string;
  readonly output: () => string;
  /** Whether the process has exited. */
  readonly gone: () => boolean;
  /** Milliseconds from spawn to the first 200 on /health. */
  readonly startMs: number;
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** On a free port, and on another one when a process took it first (the port is free only when drawn). */
async function startServer(t: Test, env: Record<string, string>): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    const started = await startOn(t, env, await freePort());
    if (!('portTaken' in started)) return started;
    if (attempt === 5) throw new Error(started.portTaken);
  }
}

async function startOn(t: Test, env: Record<string, string>, port: number): Promise<Server | { readonly portTaken: string }> {
  const cwd = await mkdtemp(join(tmpdir(), 'banking-start-'));
  t.teardown(() => rm(cwd, { recursive: true, force: true }));
  const began = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  t.teardown(async () => {
    if (!gone()) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (gone()) {
      await closed; // what it wrote before it exited
      if (PORT_TAKEN.test(output)) return { portTaken: `port ${port} was taken:\n${output}` };
      throw new Error(`the server exited at start-up:\n${output}`);
    }
    const status = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => 0);
    // 200 from this process: another one may hold the port.
    if (status === 200 && child.pid !== undefined && (await listensOn(child.pid, port))) break;
    if (performance.now() - began > START_TIMEOUT_MS) throw new Error(`no 200 on /health after ${START_TIMEOUT_MS} ms:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const startMs = Math.round(performance.now() - began);
  return {
    base,
    startMs,
    output: () => output,
    gone,
    terminate: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

function lastLines(output: string): string {
  return output.split('\n').filter((l) => !l.includes('"request completed"') && !l.includes('"incoming request"')).slice(-15).join('\n');
}

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** register → login → open COURANT HTG → deposit 1000.0 "Initial deposit" → balance == 1000. */
async function seedFlow(t: Test, base: string): Promise<{ token: string; accountId: string }> {
  const registered = await call(base, 'POST', '/api/v1/auth/register', { email: 'test@example.com', password: 'password123', full_name: 'Test User' });
  t.equal(registered.status, 201, 'register');
  const login = await call(base, 'POST', '/api/v1/auth/login', { email: 'test@example.com', password: 'password123' });
  t.equal(login.status, 200, 'login');
  const token = login.body.access_token as string;
  const account = await call(base, 'POST', '/api/v1/accounts', { account_type: 'COURANT', currency: 'HTG' }, token);
  t.equal(account.status, 201, 'open account');
  const accountId = account.body.id as string;
  const deposit = await call(base, 'POST', `/api/v1/accounts/${accountId}/transactions`, { amount: 1000.0, type: 'DEPOT', description: 'Initial deposit' }, token);
  t.equal(deposit.status, 201, 'deposit');
  const balance = await call(base, 'GET', `/api/v1/accounts/${accountId}/balance`, undefined, token);
  t.equal(balance.status, 200, 'balance');
  t.equal(balance.body.balance, 1000.0, 'balance == 1000');
  t.ok(balance.headers.get('x-request-id'), 'X-Request-Id');
  t.ok(balance.headers.get('ratelimit-limit'), 'RateLimit-Limit');
  return { token, accountId };
}

/** Deposits sent together with SIGTERM: every one that was answered is in the ledger after a restart. */
async function depositsAcrossShutdown(base: string, server: Server, token: string, accountId: string) {
  const inFlight = Array.from({ length: 20 }, () =>
    call(base, 'POST', `/api/v1/accounts/${accountId}/transactions`, { amount: 1, type: 'DEPOT' }, token).then(
      (r) => r.status,
      () => 0,
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  const exit = server.terminate();
  const statuses = await Promise.all(inFlight);
  return { exit: await exit, answered: statuses.filter((s) => s === 201).length, statuses };
}

/**
 * The output once it holds `text` (or the process has exited): the log line is written after
 * listen() resolves, which can trail the first /health answer by any time on a loaded machine.
 */
async function logged(server: Server, text: string): Promise<string> {
  const began = performance.now();
  while (!server.output().includes(text) && !server.gone() && performance.now() - began < START_TIMEOUT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return server.output();
}

t.test('pnpm start: embedded PGlite on an empty data dir', async (t) => {
  await ensureBuilt();
  const dataRoot = await mkdtemp(join(tmpdir(), 'banking-data-'));
  t.teardown(() => rm(dataRoot, { recursive: true, force: true }));
  const env = { DATA_DIR: join(dataRoot, 'data'), SECRET_KEY: 'process-test-secret-key-long-enough-0123456789' };

  const first = await startServer(t, env);
  t.comment(`fresh data dir: first 200 on /health after ${first.startMs} ms`);
  const listening = `API listening on ${first.base} — docs at ${first.base}/docs`;
  t.match(await logged(first, listening), listening, 'says where the docs are');
  const docs = await fetch(`${first.base}/docs/`);
  t.equal(docs.status, 200);
  t.match(docs.headers.get('content-type'), /text\/html/);
  const ready = await call(first.base, 'GET', '/ready');
  t.same(ready.body, { status: 'ready', checks: { database: 'ok' } });
  const { token, accountId } = await seedFlow(t, first.base);

  const { exit, answered, statuses } = await depositsAcrossShutdown(first.base, first, token, accountId);
  t.same(exit, { code: 0, signal: null }, 'SIGTERM: drained and exited 0', exit.code === 0 ? {} : { output: lastLines(first.output()) });
  t.ok(statuses.every((s) => s === 201 || s === 0), `in flight at SIGTERM: answered 201 or not connected (${statuses.join(',')})`);

  const second = await startServer(t, env);
  t.comment(`existing data dir: first 200 on /health after ${second.startMs} ms`);
  const balance = await call(second.base, 'GET', `/api/v1/accounts/${accountId}/balance`, undefined, token);
  t.equal(balance.status, 200, 'the access token survives a restart (same SECRET_KEY)');
  t.equal(balance.body.balance, 1000 + answered, `every answered deposit is there (${answered} of 20)`);
  const again = await call(second.base, 'POST', '/api/v1/auth/register', { email: 'test@example.com', password: 'password123', full_name: 'Test User' });
  t.equal(again.status, 409, 'the user survived the restart');
  t.same(await second.terminate(), { code: 0, signal: null });
});

t.test('pnpm start: PostgreSQL server (fresh database)', async (t) => {
  if (!(await requireServices(t, { machineRedis: false }))) return;
  await ensureBuilt();
  const database = await freshDatabase(t);
  const env = { DATABASE_URL: database.url, SECRET_KEY: 'process-test-secret-key-long-enough-0123456789', DATA_DIR: '/nonexistent/never-used' };

  const server = await startServer(t, env);
  t.comment(`PostgreSQL: first 200 on /health after ${server.startMs} ms`);
  const listening = `API listening on ${server.base} — docs at ${server.base}/docs`;
  t.match(await logged(server, listening), listening);
  const { token, accountId } = await seedFlow(t, server.base);
  const metrics = await fetch(`${server.base}/metrics`).then((r) => r.text());
  t.match(metrics, /banking_db_pool_total \d+/, 'pool figures on /metrics');

  const { exit, answered } = await depositsAcrossShutdown(server.base, server, token, accountId);
  t.same(exit, { code: 0, signal: null }, 'SIGTERM: drained and exited 0', exit.code === 0 ? {} : { output: lastLines(server.output()) });
  const stored = await database.query(`select balance from accounts where id = '${accountId}'`);
  t.equal(Number(stored), (1000 + answered) * 100, `the database holds every answered deposit (${answered} of 20), in minor units`);
});
