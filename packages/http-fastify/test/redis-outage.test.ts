import { performance } from 'node:perf_hooks';
import { seededRandom, testSeed } from '@banking/testing';
import t, { type Test } from 'tap';
import { PrivateRedis } from '../../adapters-redis/test/support/private-redis.js';
import { AccountTraffic, OPENING } from './support/account-traffic.js';
import { startApi, type ApiProcess } from './support/api-process.js';
import { API, call, deposit, expectStatus, fundedPair, logIn, major, metric, minor, openAccount, signUp, type Answer } from './support/http-client.js';
import { freshDatabase, requireServices } from './support/services.js';
import { TcpProxy } from './support/tcp-proxy.js';

// Two real API processes (dist/main.js) on a redis-server of this test's own (pausing or killing
// the machine's Redis would break other tests), with writers and readers running throughout:
// healthy → SIGSTOP → SIGKILL → restart → healthy. Money paths and reads never 5xx, /ready says
// 200 "degraded" naming Redis while it is down (the instances keep serving from PostgreSQL, so a
// load balancer must keep them), nothing is stale after it returns, and logged-out tokens stay refused.
// B reaches Redis through a TCP relay the test cuts for a while after the restart: instances
// reconnect one by one (each on its own backoff), and the window where A is back and B is not is
// where a stale read or a forgotten logout would slip through.

const PHASE_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

if (await requireServices(t, { machineRedis: false, redisServerBinary: true })) {
  const db = await freshDatabase(t);
  const redis = await PrivateRedis.start();
  t.teardown(() => redis.stop());
  const proxy = await TcpProxy.start(t, redis.port);
  const env = {
    DATABASE_URL: db.url,
    REDIS_KEY_PREFIX: 'outage-e2e:',
    RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
  };
  const one = await startApi(t, 'A', { ...env, REDIS_URL: redis.url });
  const two = await startApi(t, 'B', { ...env, REDIS_URL: proxy.url });
  const instances: readonly ApiProcess[] = [one, two];

  const { owner, other, a, c } = await fundedPair(one.url, two.url, OPENING);
  // Three more logins of the owner, logged out before the outage, while Redis is paused, and while it is gone.
  const before = await logIn(one.url, owner.email, owner.password);
  const paused = await logIn(one.url, owner.email, owner.password);
  const killed = await logIn(two.url, owner.email, owner.password);
  const loggedOut: { name: string; token: string }[] = [];
  // A user and account no background traffic touches, for the deterministic stale-read probe.
  const prober = await signUp(one.url);
  const p = await openAccount(one.url, prober);
  await deposit(one.url, prober, p.id, OPENING);
  const balanceOn = async (api: ApiProcess, client: typeof prober, id: string) =>
    minor(expectStatus(await call(api.url, 'GET', `${API}/accounts/${id}/balance`, { token: client.accessToken }), 200, 'balance').balance);

  const ready = (api: ApiProcess) => call(api.url, 'GET', '/ready', { timeoutMs: 10_000 });
  const logout = async (t: Test, api: ApiProcess, name: string, token: string) => {
    const answer = await call(api.url, 'POST', `${API}/auth/logout`, { token, json: {} });
    t.equal(answer.status, 204, `logout (${name}) on ${api.name}: 204`);
    loggedOut.push({ name, token });
  };
  const checkRefused = async (t: Test, when: string) => {
    for (const api of instances) {
      for (const session of loggedOut) {
        const me = await call(api.url, 'GET', `${API}/auth/me`, { token: session.token });
        t.ok(me.status === 401 && me.body.code === 'token_revoked', `${when}: ${api.name} refuses the token logged out ${session.name} (${me.status} ${me.body?.code})`);
      }
    }
    const live = await call(two.url, 'GET', `${API}/auth/me`, { token: owner.accessToken });
    t.equal(live.status, 200, `${when}: a token never logged out still works`);
  };
  const degraded = (answers: readonly Answer[]) =>
    answers.every((r) => r.status === 200 && JSON.stringify(r.body) === JSON.stringify({ status: 'degraded', checks: { database: 'ok', redis: 'down' } }));
  const fullyReady = (answer: Answer) => answer.status === 200 && answer.body?.status === 'ready';

  const traffic = new AccountTraffic({ instances: instances.map((i) => i.url), owner, other, a, c, random: seededRandom(testSeed(t), 'traffic') });
  traffic.start();
  t.teardown(() => traffic.stop());

  await t.test('healthy: /ready 200 naming both, a logout', async (t) => {
    await sleep(PHASE_MS / 2);
    for (const api of instances) t.same((await ready(api)).body, { status: 'ready', checks: { database: 'ok', redis: 'ok' } }, `${api.name}: ready`);
    await logout(t, one, 'before the outage', before.accessToken);
    await checkRefused(t, 'healthy');
    await sleep(PHASE_MS / 2);
  });

  await t.test('Redis paused (SIGSTOP): /ready 200 degraded naming redis, logouts hold', async (t) => {
    redis.pause();
    t.comment(`paused at ${performance.now().toFixed(0)} ms`);
    const answers = await eventually('both instances answer /ready 200 degraded', async () => {
      const r = await Promise.all(instances.map(ready));
      return degraded(r) ? r : undefined;
    });
    t.same(answers[0]!.body, { status: 'degraded', checks: { database: 'ok', redis: 'down' } }, '200 degraded, naming redis as down');
    t.comment(`/ready while paused: ${JSON.stringify(answers[0]!.body)}`);
    for (const api of instances) t.equal(await metric(api.url, 'banking_redis_connected'), 0, `${api.name}: banking_redis_connected 0`);
    await logout(t, one, 'while Redis was paused', paused.accessToken);
    await checkRefused(t, 'paused');
    await sleep(PHASE_MS);
  });

  await t.test('Redis killed: still degraded, logouts hold', async (t) => {
    await redis.kill();
    t.comment(`killed at ${performance.now().toFixed(0)} ms`);
    await logout(t, two, 'while Redis was gone', killed.accessToken);
    t.ok(degraded(await Promise.all(instances.map(ready))), 'both: 200 degraded naming redis');
    await checkRefused(t, 'killed');
    await sleep(PHASE_MS);
  });

  await t.test('Redis restarted (empty), B still cut off: A serves nothing stale and refuses B’s logouts', async (t) => {
    proxy.block();
    await redis.restart();
    t.comment(`restarted at ${performance.now().toFixed(0)} ms`);
    await eventually('A answers /ready 200 ready', async () => (fullyReady(await ready(one)) ? true : undefined));
    t.ok(degraded([await ready(two)]), 'B (cut off from Redis) still answers degraded naming redis');
    t.equal(await balanceOn(one, prober, p.id), OPENING, 'A reads the balance (and would cache it)');
    t.equal(await balanceOn(one, prober, p.id), OPENING, 'A reads it again');
    const moved = await deposit(two.url, prober, p.id, 12_345);
    t.equal(await balanceOn(one, prober, p.id), minor(moved.balance_after), 'A reads the deposit B answered 201 while B could not invalidate');
    await checkRefused(t, 'A back, B cut off');
    await sleep(PHASE_MS / 2);
  });

  await t.test('B reconnects: /ready 200 again on both, logouts hold on both instances', async (t) => {
    proxy.unblock();
    await eventually('both instances answer /ready 200 ready', async () => {
      const r = await Promise.all(instances.map(ready));
      return r.every(fullyReady) ? r : undefined;
    });
    t.comment(`both ready at ${performance.now().toFixed(0)} ms`);
    for (const api of instances) {
      t.same((await ready(api)).body, { status: 'ready', checks: { database: 'ok', redis: 'ok' } }, `${api.name}: ready, both named`);
      t.equal(await metric(api.url, 'banking_redis_connected'), 1, `${api.name}: banking_redis_connected 1`);
      t.ok((await metric(api.url, 'banking_redis_reconnects'))! >= 1, `${api.name}: banking_redis_reconnects >= 1`);
      const fallbacks = await metric(api.url, 'banking_redis_rate_limit_fallbacks');
      t.ok(fallbacks! > 0, `${api.name}: rate-limit fallbacks counted (${fallbacks})`);
      t.comment(`${api.name}: ${fallbacks} rate-limit fallbacks, ${await metric(api.url, 'banking_redis_cache_errors')} cache errors during the outage`);
    }
    await checkRefused(t, 'after the restart');
    await sleep(PHASE_MS);
  });

  await t.test('the whole run: no 5xx, every write applied, no stale read, balances = PostgreSQL', async (t) => {
    await traffic.until('20 writes and 50 reads', ({ writes, reads }) => writes > 20 && reads > 50);
    await traffic.stop();
    const report = await traffic.report(db);
    t.comment(`${report.writes} writes, ${report.reads} reads (${report.tightReads} started < 20 ms after a write's 2xx); ${JSON.stringify(report.statusCounts)}`);
    t.ok(report.writes > 20 && report.reads > 50, 'traffic flowed');
    t.same(report.failures.map((o) => `${o.what} on ${o.instance}: ${o.status} ${JSON.stringify(o.body)}`), [], 'no 5xx, no unanswered request');
    t.same(report.refusedWrites.map((o) => `${o.what} ${o.status} ${JSON.stringify(o.body)}`), [], 'every write got 201');
    t.equal(report.ledgerMismatches, 0, 'the ledger encodes each line position in its balance');
    t.same(report.unknownBalances, [], 'every balance read is one the ledger had');
    t.same(report.stale, [], 'every read started after a write 2xx shows that write or a later one, before, during and after the outage');
    for (const [account, client] of [[a, owner], [c, other]] as const) {
      const stored = Number(await db.query(`select balance from accounts where id = '${account.id}'`));
      for (const api of [...instances, ...instances]) {
        const read = expectStatus(await call(api.url, 'GET', `${API}/accounts/${account.id}/balance`, { token: client.accessToken }), 200, 'balance');
        t.equal(minor(read.balance), stored, `${api.name}: balance = PostgreSQL`);
      }
    }
    for (const api of instances) {
      const warnings = api.logs.filter((l) => l.level === 40).map((l) => l.msg ?? '');
      t.equal(warnings.filter((m) => /^Rate limits counted per instance/.test(m)).length, 1, `${api.name}: the rate-limit fallback is logged once for the outage`);
      t.equal(warnings.filter((m) => /^Redis unavailable/.test(m)).length, 1, `${api.name}: the outage is logged once`);
      t.same(api.logs.filter((l) => (l.level ?? 0) >= 50), [], `${api.name}: no error log`);
    }
  });

  await t.test('SIGTERM while deposits are in flight: drained, nothing lost, exit 0', async (t) => {
    const d = await openAccount(one.url, owner);
    const inFlight = Array.from({ length: 20 }, () =>
      call(one.url, 'POST', `${API}/accounts/${d.id}/transactions`, { token: owner.accessToken, json: { type: 'DEPOT', amount: major(100) } }),
    );
    await sleep(15);
    one.signal('SIGTERM');
    const answers = await Promise.all(inFlight);
    const exit = await one.exited;
    t.same(exit, { code: 0, signal: null }, 'A exits 0');
    const statuses = answers.map((x) => x.status);
    t.ok(statuses.every((s) => s === 201 || s === 503 || s === 0), `each deposit was applied (201) or refused before it started (503 while closing, or no connection): ${statuses.join(',')}`);
    const lines = Number(await db.query(`select count(*) from ledger_entries where account_id = '${d.id}'`));
    t.equal(lines, statuses.filter((s) => s === 201).length, 'every 201 is in the ledger and nothing else is');
    t.comment(`${statuses.filter((s) => s === 201).length} of 20 deposits answered 201 during the drain`);
    t.same(await two.stop(), { code: 0, signal: null }, 'B exits 0');
  });
}
