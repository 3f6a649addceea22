import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { call, expectStatus } from '../../http-fastify/test/support/http-client.js';
import { ensureBuilt, freePort, runNode, until, type NodeProcess } from '../../http-fastify/test/support/api-process.js';
import { errorReason, LOCK_FILE, lockDataDir } from '../src/index.js';

/**
 * One process owns a DATA_DIR, with real processes: the built API (`dist/main.js`), the built
 * CLIs (`pnpm migrate`, `pnpm ledger:verify`) and a process that only takes the lock
 * (`support/lock-holder.mjs`). A second process is refused with one line naming the holder,
 * exits non-zero and never creates PGlite; a holder killed with SIGKILL leaves nothing that blocks
 * the next start; processes racing for a new or a stale directory end with exactly one owner.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/http-fastify/dist/main.js');
const MIGRATE = join(ROOT, 'packages/adapters-postgres/dist/cli/migrate.js');
const VERIFY = join(ROOT, 'packages/adapters-postgres/dist/cli/ledger-verify.js');
const HOLDER = fileURLToPath(new URL('./support/lock-holder.mjs', import.meta.url));

/** A lock-holder process, started now or at the epoch millisecond `at`. */
function holder(t: Test, dir: string, name: string, at?: number): NodeProcess {
  return runNode(t, [HOLDER, dir, name, ...(at === undefined ? [] : [String(at)])]);
}

/** Resolves once the holder has said `owned` or `refused`. */
async function verdict(p: NodeProcess): Promise<string> {
  await until('the lock holder to answer', () => /^(owned|refused)/m.test(p.stdout()), 30_000);
  return p.stdout().trim();
}

async function healthy(base: string): Promise<boolean> {
  return (await call(base, 'GET', '/health', { timeoutMs: 1000 })).status === 200;
}

/** The one line a refused process printed (checked: one line in all, naming the directory and the holder, no stack). */
function refusal(t: Test, p: NodeProcess, dir: string, holderPid: number, holderName: string, what: string): void {
  const lines = p.lines();
  t.equal(lines.length, 1, `${what}: one line in all (${JSON.stringify(lines)})`);
  t.match(lines[0], `DATA_DIR=${dir} is in use by pid ${holderPid}, ${holderName} started `, `${what}: names the directory and the holder`);
  t.notMatch(lines.join('\n'), /^\s+at /m, `${what}: no stack`);
}

t.before(ensureBuilt);

t.test('a held DATA_DIR: the API, pnpm migrate and pnpm ledger:verify are refused, PGlite is never created; kill -9 frees it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'banking-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const first = holder(t, dir, 'lock holder (test)');
  t.equal(await verdict(first), `owned ${first.pid}`);

  const api = runNode(t, [MAIN], { HOST: '127.0.0.1', PORT: String(await freePort()), DATA_DIR: dir });
  t.same(await api.exited, { code: 1, signal: null }, 'the API exits 1');
  refusal(t, api, dir, first.pid, 'lock holder (test)', 'API');
  t.match(api.lines()[0], /^start-up failed: /);

  const migrate = runNode(t, [MIGRATE], { DATA_DIR: dir });
  t.same(await migrate.exited, { code: 1, signal: null }, 'pnpm migrate exits 1');
  refusal(t, migrate, dir, first.pid, 'lock holder (test)', 'migrate');
  t.match(migrate.stderr(), /^migrate: DATA_DIR=/);

  const verify = runNode(t, [VERIFY], { DATA_DIR: dir });
  t.same(await verify.exited, { code: 2, signal: null }, 'pnpm ledger:verify exits 2 (cannot read)');
  refusal(t, verify, dir, first.pid, 'lock holder (test)', 'ledger:verify');
  t.match(verify.stderr(), /^ledger:verify: DATA_DIR=/);

  t.same(await readdir(dir), [LOCK_FILE], 'nothing but the lock in the directory: PGlite was never created');

  first.kill('SIGKILL');
  await first.exited;
  const next = holder(t, dir, 'after kill -9');
  t.equal(await verdict(next), `owned ${next.pid}`, 'the lock of a process killed with SIGKILL does not outlive it');
  next.endInput();
  t.same(await next.exited, { code: 0, signal: null });
  t.same(await readdir(dir), [], 'released on a clean stop');
});

t.test('processes racing for a new or a stale DATA_DIR: exactly one owner each time', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'banking-lock-race-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const N = 6;
  // Round 0 races for a new directory; each later one for the lock of the previous owner, killed
  // with SIGKILL (every contender finds the same stale file and must not take it over twice).
  for (let round = 0; round < 4; round++) {
    const at = Date.now() + 1500;
    const contenders = Array.from({ length: N }, (_, i) => holder(t, dir, `contender ${round}.${i}`, at));
    const answers = await Promise.all(contenders.map(verdict));
    const owners = contenders.filter((_, i) => answers[i]!.startsWith('owned'));
    t.equal(owners.length, 1, `round ${round}: one owner (${answers.join(' | ')})`);
    const owner = owners[0]!;
    for (const [i, p] of contenders.entries()) {
      if (p === owner) continue;
      t.match(answers[i], `refused DATA_DIR=${dir} is in use by pid ${owner.pid}, contender ${round}.`, `round ${round}: a refusal names the owner`);
      t.same(await p.exited, { code: 3, signal: null });
    }
    owner.kill('SIGKILL');
    await owner.exited;
  }
  const left = await readdir(dir);
  t.same(left, [LOCK_FILE], `only the last owner's lock is left (${left.join(', ')})`);

  // A lock file that cannot be read (a crash while a hand edited it, say) is taken over once it is not being written.
  await writeFile(join(dir, LOCK_FILE), '{"pid": 12');
  const old = new Date(Date.now() - 60_000);
  await utimes(join(dir, LOCK_FILE), old, old);
  const after = holder(t, dir, 'after garbage');
  t.equal(await verdict(after), `owned ${after.pid}`, 'an unreadable, old lock file is stale');
  after.endInput();
  await after.exited;
});

t.test('in one process: a second open of the directory is refused; a file naming our own pid is an earlier life', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'banking-lock-self-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // What a container restarted as the same pid finds: a lock left by its previous life.
  await writeFile(
    join(dir, LOCK_FILE),
    JSON.stringify({ pid: process.pid, name: 'previous life', started: '2026-01-01T00:00:00Z', host: hostname(), token: 'x' }),
  );
  const lock = await lockDataDir(dir, 'this test');
  await t.rejects(lockDataDir(dir, 'again'), { name: 'DataDirLocked', message: `DATA_DIR=${dir} is already open in this process (pid ${process.pid})` });
  await lock.release();
  const again = await lockDataDir(dir, 'again');
  await again.release();
  t.same(await readdir(dir), []);

  // A holder on another host cannot be checked from here: refused, with what to do if it is gone.
  await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, name: 'banking-api', started: '2026-01-01T00:00:00Z', host: 'elsewhere', token: 'y' }));
  await t.rejects(lockDataDir(dir, 'here'), {
    code: 'data_dir_locked',
    message: `DATA_DIR=${dir} is in use by pid 1, banking-api started 2026-01-01T00:00:00Z on host elsewhere, whose processes cannot be seen from ${hostname()} (if it has stopped, delete ${join(dir, LOCK_FILE)})`,
  });
});

t.test('error reasons are always one readable line, whatever was thrown', async (t) => {
  t.equal(errorReason(new Error('boom')), 'boom');
  t.equal(errorReason(new AggregateError([new Error('connect ECONNREFUSED 127.0.0.1:1')], '')), 'connect ECONNREFUSED 127.0.0.1:1');
  // What PGlite's WASM runtime and Emscripten's file system throw: plain objects.
  t.equal(errorReason({ name: 'ExitStatus', message: 'Program terminated with exit(1)', status: 1 }), 'ExitStatus: Program terminated with exit(1)');
  t.equal(errorReason({ errno: 44 }), '{ errno: 44 }');
  t.equal(errorReason('text'), 'text');
  t.equal(errorReason(new Error('first line\n    second line')), 'first line second line');
  t.equal(errorReason(undefined), 'undefined');
  t.equal(errorReason(new Error('')), 'Error');
});

t.test('N API processes started at once on a new DATA_DIR: one serves, the others refuse, the data survives kill -9', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'banking-lock-api-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const dir = join(root, 'data');
  const ports = await Promise.all([1, 2, 3].map(() => freePort()));
  const apis = ports.map((port) => ({ port, p: runNode(t, [MAIN], { HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dir }) }));

  let winner: (typeof apis)[number] | undefined;
  await until(
    'one API to serve and the others to exit',
    async () => {
      for (const api of apis) if (!api.p.hasExited() && (await healthy(`http://127.0.0.1:${api.port}`))) winner = api;
      return winner !== undefined && apis.filter((a) => a.p.hasExited()).length === apis.length - 1;
    },
    180_000,
  );
  const base = `http://127.0.0.1:${winner!.port}`;
  for (const api of apis) {
    if (api === winner) continue;
    t.same(await api.p.exited, { code: 1, signal: null }, 'a loser exits 1');
    refusal(t, api.p, dir, winner!.p.pid, 'banking-api', 'a loser');
  }

  const email = 'lock@example.com';
  const password = 'password123';
  expectStatus(await call(base, 'POST', '/api/v1/auth/register', { json: { email, password, full_name: 'Lock Test' } }), 201, 'register');
  const login = expectStatus(await call(base, 'POST', '/api/v1/auth/login', { json: { email, password } }), 200, 'login');
  const token = login.access_token as string;
  const account = expectStatus(await call(base, 'POST', '/api/v1/accounts', { token, json: { account_type: 'COURANT' } }), 201, 'open');
  const deposit = await call(base, 'POST', `/api/v1/accounts/${account.id}/transactions`, { token, json: { amount: '1000.00', type: 'DEPOT' } });
  expectStatus(deposit, 201, 'deposit');

  const verifyWhileServing = runNode(t, [VERIFY], { DATA_DIR: dir });
  t.equal((await verifyWhileServing.exited).code, 2, 'ledger:verify while the API serves: refused');
  refusal(t, verifyWhileServing, dir, winner!.p.pid, 'banking-api', 'ledger:verify while serving');
  const migrateWhileServing = runNode(t, [MIGRATE], { DATA_DIR: dir });
  t.equal((await migrateWhileServing.exited).code, 1, 'migrate while the API serves: refused');
  refusal(t, migrateWhileServing, dir, winner!.p.pid, 'banking-api', 'migrate while serving');

  winner!.p.kill('SIGKILL');
  await winner!.p.exited;
  const port = await freePort();
  const restarted = runNode(t, [MAIN], { HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dir });
  const again = `http://127.0.0.1:${port}`;
  await until('the API to start after kill -9 of the previous one', async () => {
    if (restarted.hasExited()) throw new Error(`the restart exited: ${restarted.lines().join('\n')}`);
    return healthy(again);
  });
  const relogin = expectStatus(await call(again, 'POST', '/api/v1/auth/login', { json: { email, password } }), 200, 'login after the restart');
  const balance = expectStatus(await call(again, 'GET', `/api/v1/accounts/${account.id}/balance`, { token: relogin.access_token }), 200, 'balance');
  t.equal(balance.balance, 1000, 'the acknowledged deposit is there');
  restarted.kill('SIGTERM');
  t.same(await restarted.exited, { code: 0, signal: null });

  const verify = runNode(t, [VERIFY], { DATA_DIR: dir });
  t.same(await verify.exited, { code: 0, signal: null }, `ledger:verify: ${verify.lines().join(' ')}`);
  t.match(verify.stdout(), /^ledger:verify OK: 1 accounts, 1 ledger lines/);
  t.notOk((await readdir(dir)).includes(LOCK_FILE), 'no lock left after clean stops');
});
