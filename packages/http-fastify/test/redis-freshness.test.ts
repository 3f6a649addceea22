import { seededRandom, testSeed } from '@banking/testing';
import t from 'tap';
import { AccountTraffic, OPENING } from './support/account-traffic.js';
import { startApi, type ApiProcess } from './support/api-process.js';
import { API, call, expectStatus, fundedPair, metric, minor } from './support/http-client.js';
import { freshDatabase, MACHINE_REDIS_URL, redisCli, redisPrefix, requireServices } from './support/services.js';

// Two real API processes (dist/main.js) on one PostgreSQL database of this test's own and the
// machine's Redis under a random key prefix: the cache serves (hit ratio) and is never stale.

const TRAFFIC_MS = 5000;
const READS = 400;

if (await requireServices(t)) {
  const db = await freshDatabase(t);
  const prefix = redisPrefix(t);
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: MACHINE_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
  };
  const one = await startApi(t, 'A', env);
  const two = await startApi(t, 'B', env);
  const instances: readonly ApiProcess[] = [one, two];
  const bases = instances.map((i) => i.url);

  const { owner, other, a, c } = await fundedPair(one.url, two.url, OPENING);

  await t.test('/ready names the database and Redis, both ok', async (t) => {
    for (const api of instances) {
      const ready = await call(api.url, 'GET', '/ready');
      t.equal(ready.status, 200, `${api.name}: 200`);
      t.same(ready.body, { status: 'ready', checks: { database: 'ok', redis: 'ok' } }, `${api.name}: both checks named`);
    }
  });

  await t.test('load: repeated balance reads are served by the shared cache (hit ratio in /metrics)', async (t) => {
    for (let i = 0; i < READS; i++) {
      const answer = await call(bases[i % 2]!, 'GET', `${API}/accounts/${a.id}/balance`, { token: owner.accessToken });
      if (answer.status !== 200 || minor(answer.body.balance) !== OPENING) {
        t.fail(`read ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
        return;
      }
    }
    for (const api of instances) {
      const ratio = await metric(api.url, 'banking_redis_cache_hit_ratio');
      const hits = await metric(api.url, 'banking_redis_cache_hits');
      const misses = await metric(api.url, 'banking_redis_cache_misses');
      t.comment(`${api.name}: cache hit ratio ${ratio?.toFixed(3)} (${hits} hits, ${misses} misses) after ${READS / 2} balance reads`);
      t.ok(ratio !== undefined && ratio > 0.5, `${api.name}: hit ratio ${ratio} > 0.5`);
      t.equal(await metric(api.url, 'banking_redis_connected'), 1, `${api.name}: banking_redis_connected 1`);
      t.equal(await metric(api.url, 'banking_redis_cache_errors'), 0, `${api.name}: no cache errors`);
    }
    const values = (await redisCli(MACHINE_REDIS_URL, ['--scan', '--pattern', `${prefix}val:*`])).split('\n').filter((k) => k !== '');
    t.ok(values.length > 0, `cached values live in Redis under the prefix (${values.length} keys)`);
  });

  await t.test(`freshness: ${TRAFFIC_MS / 1000} s of concurrent writers and readers on one account across both instances`, async (t) => {
    const traffic = new AccountTraffic({ instances: bases, owner, other, a, c, random: seededRandom(testSeed(t), 'traffic') });
    traffic.start();
    await new Promise((resolve) => setTimeout(resolve, TRAFFIC_MS));
    // And on until there is enough traffic to judge: a loaded machine answers fewer requests in TRAFFIC_MS.
    await traffic.until('20 writes and 100 reads', ({ writes, reads }) => writes > 20 && reads > 100);
    await traffic.stop();
    const report = await traffic.report(db);
    t.comment(
      `${report.writes} writes, ${report.reads} reads (${report.tightReads} started < 20 ms after a write's 2xx); ${JSON.stringify(report.statusCounts)}`,
    );
    t.ok(report.writes > 20, `writes happened (${report.writes})`);
    t.ok(report.reads > 100, `reads happened (${report.reads})`);
    t.same(report.failures.map((o) => `${o.what} ${o.status} ${JSON.stringify(o.body)}`), [], 'no 5xx, no unanswered request');
    t.same(report.refusedWrites.map((o) => `${o.what} ${o.status} ${JSON.stringify(o.body)}`), [], 'every write got 201');
    t.equal(report.ledgerMismatches, 0, 'the ledger encodes each line position in its balance');
    t.same(report.unknownBalances, [], 'every balance read is one the ledger had');
    t.same(report.stale, [], 'every read started after a write 2xx shows that write or a later one');

    const hitRatio = await metric(one.url, 'banking_redis_cache_hit_ratio');
    t.comment(`A: cumulative hit ratio after the freshness run ${hitRatio?.toFixed(3)}`);
  });

  await t.test('the cached balances equal PostgreSQL after the run', async (t) => {
    for (const account of [a, c]) {
      const stored = Number(await db.query(`select balance from accounts where id = '${account.id}'`));
      const client = account === a ? owner : other;
      // Twice on each instance: the first read may fill the cache, the second is served from it.
      for (let round = 0; round < 2; round++) {
        for (const api of instances) {
          const balance = expectStatus(await call(api.url, 'GET', `${API}/accounts/${account.id}/balance`, { token: client.accessToken }), 200, 'balance');
          t.equal(minor(balance.balance), stored, `${api.name} round ${round + 1}: balance = PostgreSQL (${stored})`);
        }
      }
      const ledgerSum = Number(
        await db.query(`select coalesce(sum(case when direction = 'CREDIT' then amount else -amount end), 0) from ledger_entries where account_id = '${account.id}'`),
      );
      t.equal(ledgerSum, stored, 'PostgreSQL balance = the sum of its ledger');
    }
  });

  await t.test('SIGTERM: both instances drain and exit 0', async (t) => {
    for (const api of instances) t.same(await api.stop(), { code: 0, signal: null }, `${api.name} exit 0`);
  });
}
