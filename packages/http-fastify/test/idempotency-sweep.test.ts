import t from 'tap';
import { startApi, type ApiProcess } from './support/api-process.js';
import { API, call, expectStatus, metric, openAccount, signUp } from './support/http-client.js';
import { freshDatabase, requireServices } from './support/services.js';

// Two real API processes (dist/main.js) on one PostgreSQL database of this test's own, sweeping
// every second: the expired Idempotency-Key records go, each deleted once, and the live one stays.

const EXPIRED = 2000;
const SWEPT_LINE = /^idempotency sweep: (\d+) expired records deleted$/;

/** Polls `check` until it returns true; fails the test (instead of hanging it) after `ms`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not after ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

if (await requireServices(t, { machineRedis: false })) {
  await t.test('every instance sweeps the expired records of one database; each is deleted once; shutdown is clean', async (t) => {
    const db = await freshDatabase(t);
    const env = { DATABASE_URL: db.url, IDEMPOTENCY_SWEEP_INTERVAL_SECONDS: '1', LOG_LEVEL: 'info' };
    const instances: ApiProcess[] = [await startApi(t, 'A', env), await startApi(t, 'B', env)];
    const [a] = instances as [ApiProcess, ApiProcess];

    const owner = await signUp(a.url);
    const account = await openAccount(a.url, owner);
    const depositWithKey = () =>
      call(a.url, 'POST', `${API}/accounts/${account.id}/transactions`, {
        token: owner.accessToken,
        json: { type: 'DEPOT', amount: '10.00' },
        headers: { 'idempotency-key': 'still-fresh' },
      });
    const first = expectStatus(await depositWithKey(), 201, 'deposit with a key');
    await db.query(`
      insert into idempotency_records (user_id, key, fingerprint, outcome, created_at, expires_at)
      select '${owner.id}', 'old-' || g, 'f', '{"ok":true,"value":{}}', now() - interval '3 days', now() - interval '2 days'
      from generate_series(1, ${EXPIRED}) as g`);

    const deletedPerInstance = () => Promise.all(instances.map(async (api) => (await metric(api.url, 'banking_idempotency_sweep_deleted_records')) ?? 0));
    await eventually('all expired records counted as deleted', async () => (await deletedPerInstance()).reduce((x, y) => x + y, 0) >= EXPIRED);
    const deleted = await deletedPerInstance();
    t.equal(deleted.reduce((x, y) => x + y, 0), EXPIRED, `${EXPIRED} deleted in all, each once (A ${deleted[0]}, B ${deleted[1]})`);
    t.equal(await db.query(`select count(*) from idempotency_records where key like 'old-%'`), '0', 'none left');
    // One instance may have deleted everything before the other's first sweep ended: wait for it.
    const runs = () => Promise.all(instances.map(async (api) => (await metric(api.url, 'banking_idempotency_sweep_runs')) ?? 0));
    await eventually('every instance swept at least once', async () => (await runs()).every((n) => n >= 1));
    for (const api of instances) t.equal(await metric(api.url, 'banking_idempotency_sweep_failures'), 0, `${api.name}: no failed sweep`);

    const loggedCount = () =>
      instances
        .flatMap((api) => api.logs)
        .map((line) => SWEPT_LINE.exec(String(line.msg)))
        .reduce((sum, match) => sum + (match ? Number(match[1]) : 0), 0);
    await eventually('the sweeps logged', () => loggedCount() >= EXPIRED, 10_000);
    t.equal(loggedCount(), EXPIRED, 'one log line per sweep that deleted records, their counts adding up');
    t.ok(instances.flatMap((api) => api.logs).every((line) => !/^idempotency sweep/.test(String(line.msg)) || SWEPT_LINE.test(String(line.msg))), 'no sweep failure logged');

    const replay = await depositWithKey();
    t.equal(replay.status, 201);
    t.equal(replay.headers.get('idempotent-replayed'), 'true', 'the record younger than the retention is still replayed');
    t.same(replay.body, first);

    for (const api of instances) {
      t.same(await api.stop(), { code: 0, signal: null }, `${api.name}: SIGTERM stops the sweeper and exits 0`);
      t.ok(api.logs.some((line) => line.msg === 'closed'), `${api.name}: closed`);
    }
  });

  await t.test('IDEMPOTENCY_RETENTION_HOURS under 24 stops start-up with one line naming it', async (t) => {
    await t.rejects(
      startApi(t, 'short', { IDEMPOTENCY_RETENTION_HOURS: '23', DATA_DIR: '/nonexistent/never-used' }),
      { message: /exited at start-up: Invalid configuration:\n {2}IDEMPOTENCY_RETENTION_HOURS="23": must be an integer from 24 to 8784\n/ },
    );
  });
}
