import { createServer } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { crashRestartDelay, HEALTHY_AFTER_MS, RESTART_CAP_MS, startUpGiveUpAfter } from '../src/runtime/supervision.js';
import { ensureBuilt, freePort, runNode, until, type NodeProcess } from './support/api-process.js';
import { call, expectStatus } from './support/http-client.js';
import { freshDatabase, requireServices } from './support/services.js';

/**
 * Start-up as an operator sees it, on real processes (`dist/main.js`): a failure is one line on
 * stderr and exit 1 (never a stack, never shutdown lines for a server that never listened); the
 * ready line is printed once; with API_WORKERS the primary backs off on crashes, gives up with the
 * workers' own reason when they cannot start, and replaces a worker that crashes after serving.
 */

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

t.before(ensureBuilt);

function api(t: Test, env: Readonly<Record<string, string>>): NodeProcess {
  return runNode(t, [MAIN], { HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
}

/** A port with nothing listening on it (taken from the OS, then closed). */
const deadPort = freePort;

/** Parsed JSON log lines of stdout. */
function logs(p: NodeProcess): Array<Record<string, unknown>> {
  return p
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

t.test('an unreachable database: one line, exit 1', async (t) => {
  const port = await deadPort();
  const p = api(t, { PORT: String(await freePort()), DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/bank` });
  t.same(await p.exited, { code: 1, signal: null });
  t.same(p.lines(), [`start-up failed: cannot reach the database at DATABASE_URL=postgres://postgres@127.0.0.1:${port}/bank: connect ECONNREFUSED 127.0.0.1:${port}`]);
  t.equal(p.stdout(), '', 'nothing else');
});

t.test('the port is taken: one line, exit 1, no shutdown lines', async (t) => {
  if (!(await requireServices(t, { machineRedis: false }))) return;
  const database = await freshDatabase(t);
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
  const port = (squatter.address() as { port: number }).port;

  const p = api(t, { PORT: String(port), DATABASE_URL: database.url });
  t.same(await p.exited, { code: 1, signal: null });
  t.same(p.lines(), [`start-up failed: port ${port} on 127.0.0.1 is already in use`], 'one line, nothing about draining or closing');
});

t.test('the ready line is printed once, by one process or by the primary of API_WORKERS=2; tokens work on every worker', async (t) => {
  if (!(await requireServices(t, { machineRedis: false }))) return;
  const database = await freshDatabase(t);
  for (const workers of ['1', '2']) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // No SECRET_KEY: the key made up for the run must be the same in every worker.
    const p = runNode(t, [MAIN], { HOST: '127.0.0.1', LOG_LEVEL: 'info', PORT: String(port), DATABASE_URL: database.url, API_WORKERS: workers, SECRET_KEY: '' });
    const ready = `API listening on ${base} — docs at ${base}/docs`;
    await until(`the ready line (API_WORKERS=${workers})`, () => {
      if (p.hasExited()) throw new Error(p.lines().join('\n'));
      return p.stdout().includes(ready);
    });
    await until('every worker to listen', async () => {
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => call(base, 'GET', '/health', { headers: { connection: 'close' }, timeoutMs: 2000 })),
      );
      return answers.every((a) => a.status === 200);
    });
    const email = `ready${workers}@example.com`;
    expectStatus(await call(base, 'POST', '/api/v1/auth/register', { json: { email, password: 'password123', full_name: 'Ready' } }), 201, 'register');
    const { access_token: token } = expectStatus(await call(base, 'POST', '/api/v1/auth/login', { json: { email, password: 'password123' } }), 200, 'login');
    // New connections are dealt to the workers in turn.
    const me = await Promise.all(Array.from({ length: 8 }, () => call(base, 'GET', '/api/v1/auth/me', { token, headers: { connection: 'close' } })));
    t.same(
      me.map((a) => a.status),
      Array(8).fill(200),
      `API_WORKERS=${workers}: the token is accepted whichever worker answers`,
    );
    p.kill('SIGTERM');
    t.same(await p.exited, { code: 0, signal: null });
    const listening = p.lines().filter((line) => /listening/i.test(line));
    t.equal(listening.length, 1, `API_WORKERS=${workers}: one ready line (${listening.join(' | ')})`);
  }
});

t.test('API_WORKERS=2, an unreachable database: restarts back off, then the primary gives up with the reason', async (t) => {
  const port = await deadPort();
  const url = `postgres://postgres@127.0.0.1:${port}/bank`;
  const p = api(t, { PORT: String(await freePort()), DATABASE_URL: url, API_WORKERS: '2' });
  t.same(await p.exited, { code: 1, signal: null }, 'exits 1 instead of restarting workers forever');
  t.same(
    p.stderr().split('\n').filter(Boolean),
    [`start-up failed: cannot reach the database at DATABASE_URL=${url}: connect ECONNREFUSED 127.0.0.1:${port} (5 workers in a row failed to start; giving up)`],
    'one line on stderr, with the workers\' own reason',
  );
  const restarts = logs(p).filter((line) => line['msg'] === `worker failed at start-up; starting another in ${String(line['restart_in_ms'])} ms`);
  t.same(
    restarts.map((line) => line['restart_in_ms']),
    [250, 500, 1000, 2000],
    'each restart waits twice as long as the one before',
  );
  t.notMatch(p.stdout(), /"stack"/, 'no stack');
});

t.test('API_WORKERS=2: a worker killed after serving is replaced, the API keeps serving', async (t) => {
  if (!(await requireServices(t, { machineRedis: false }))) return;
  const database = await freshDatabase(t);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const p = api(t, { PORT: String(port), DATABASE_URL: database.url, API_WORKERS: '2', LOG_LEVEL: 'debug' });
  await until('the API to serve', async () => {
    if (p.hasExited()) throw new Error(p.lines().join('\n'));
    return (await call(base, 'GET', '/health', { timeoutMs: 1000 })).status === 200;
  });
  // One worker answering does not mean both listen yet: kill one only once the primary saw it listening.
  await until('both workers listening', () => logs(p).filter((line) => line['msg'] === 'worker listening').length === 2);
  const workers = await workerPids(p.pid, 2);
  process.kill(workers[0]!, 'SIGKILL');
  await until('a new worker', async () => {
    const now = await workerPids(p.pid, 0);
    return now.length === 2 && !now.includes(workers[0]!);
  });
  t.equal(p.hasExited(), false, 'the primary is still there');
  const exited = logs(p).find((line) => typeof line['msg'] === 'string' && line['msg'].startsWith('worker exited after serving'));
  t.match(exited, { signal: 'SIGKILL', reason: 'killed by SIGKILL' }, 'the crash is logged');
  await until('every worker to answer', async () => {
    const answers = await Promise.all(Array.from({ length: 4 }, () => call(base, 'GET', '/health', { headers: { connection: 'close' }, timeoutMs: 2000 })));
    return answers.every((a) => a.status === 200);
  });
  p.kill('SIGTERM');
  t.same(await p.exited, { code: 0, signal: null });
});

t.test('restart delays: doubling from 250 ms up to a cap, at once after a healthy run; giving up after twice the workers (at least 5)', async (t) => {
  t.same([0, 1, 2, 3].map((streak) => crashRestartDelay(undefined, streak)), [250, 500, 1000, 2000]);
  t.equal(crashRestartDelay(undefined, 1000), RESTART_CAP_MS);
  t.equal(crashRestartDelay(HEALTHY_AFTER_MS - 1, 2), 1000, 'served briefly: still backing off');
  t.equal(crashRestartDelay(HEALTHY_AFTER_MS, 7), 0, 'served for a while: restarted at once');
  t.same([1, 2, 3, 8].map(startUpGiveUpAfter), [5, 5, 6, 16]);
});

/** The pids of a primary's child processes (waits until there are at least `atLeast`). */
async function workerPids(primary: number, atLeast: number): Promise<number[]> {
  let pids: number[] = [];
  await until(`${atLeast} workers`, async () => {
    const { stdout } = await promisify(execFile)('pgrep', ['-P', String(primary)]).catch(() => ({ stdout: '' }));
    pids = stdout.split('\n').filter(Boolean).map(Number);
    return pids.length >= atLeast;
  });
  return pids;
}
