import { MemoryRateLimitStore } from '@banking/adapters-memory';
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { openRedis, type RedisAdapters } from '@banking/adapters-redis';
import { cacheContract, denylistContract, rateLimitStoreContract, seededRandom, testSeed } from '@banking/testing';
import { aPrefix, deletePrefix, MACHINE_REDIS_URL, machineRedis } from './support/machine-redis.js';

const admin = await machineRedis(t);

if (admin !== undefined) {
  const prefix = aPrefix();
  const open = (): Promise<RedisAdapters> =>
    openRedis({ url: MACHINE_REDIS_URL, keyPrefix: prefix, fallbackRateLimitStore: new MemoryRateLimitStore(), isSessionRevoked: () => Promise.resolve(false) });

  t.teardown(async () => {
    await deletePrefix(admin, prefix);
    admin.destroy();
  });

  await t.test('contracts on the machine Redis', async (t) => {
    await cacheContract(t, async () => {
      const redis = await open();
      return { cache: redis.cache, close: () => redis.close() };
    });
    await denylistContract(t, async () => {
      const redis = await open();
      return { denylist: redis.denylist, close: () => redis.close() };
    });
    await rateLimitStoreContract(t, async () => {
      const redis = await open();
      return { store: redis.rateLimitStore, close: () => redis.close() };
    });
  });

  await t.test('connection state, ping and stats', async (t) => {
    const redis = await open();
    t.teardown(() => redis.close());
    t.equal(redis.isReady(), true, 'ready after openRedis');
    await t.resolves(redis.ping(), 'ping answers');
    const scope = `scope-${randomUUID()}`;
    const miss = await redis.cache.get(scope, 'k');
    if (miss.hit) return void t.fail('expected a miss');
    await redis.cache.put(scope, 'k', miss.stamp, { n: 1 }, 60);
    await redis.cache.get(scope, 'k');
    t.match(redis.stats(), { connected: true, cacheHits: 1, cacheMisses: 1, cacheErrors: 0, rateLimitFallbacks: 0, reconnects: 0 });
    t.equal((await redis.rateLimitStore.hit(`k-${randomUUID()}`, 1000)).count, 1);
    t.equal(redis.stats().rateLimitFallbacks, 0, 'counted in Redis, not by the fallback');
    await redis.close();
    t.equal(redis.isReady(), false, 'not ready once closed');
    t.match(await redis.cache.get(scope, 'k'), { hit: false }, 'a closed cache misses without throwing');
    await t.rejects(redis.ping(), 'ping rejects once closed');
  });

  await t.test('key layout: generations, epoch, values, windows and denials under the prefix', async (t) => {
    const redis = await open();
    t.teardown(() => redis.close());
    const scope = `user:${randomUUID()}`;
    const miss = await redis.cache.get(scope, 'balance:1');
    if (miss.hit) return void t.fail('expected a miss');
    const [epoch, generation] = [miss.stamp.slice(0, miss.stamp.lastIndexOf(':')), miss.stamp.slice(miss.stamp.lastIndexOf(':') + 1)];
    // A TTL read back is the one set less the time since: bounded by the time this test measured
    // around the write and the read (never a fixed margin, which a loaded machine can exceed).
    const since = (started: number): number => Date.now() - started + 1;
    t.equal(await admin.get(`${prefix}epoch`), epoch, 'the stamp carries the current epoch');
    t.equal(await admin.get(`${prefix}gen:${scope}`), generation, 'and the scope generation');
    const putAt = Date.now();
    await redis.cache.put(scope, 'balance:1', miss.stamp, { balance: 5 }, 30);
    const valueKey = `${prefix}val:${scope}:${epoch}:${generation}:balance:1`;
    t.equal(await admin.get(valueKey), '{"balance":5}', 'the value is JSON under scope, epoch, generation and key');
    const ttl = await admin.pTTL(valueKey);
    t.ok(ttl >= 30_000 - since(putAt) && ttl <= 30_000, `with the put's TTL (${ttl} ms)`);
    await redis.cache.invalidate([scope]);
    t.equal(await admin.get(`${prefix}gen:${scope}`), String(BigInt(generation) + 1n), 'invalidate increments the generation');
    t.equal(await admin.pTTL(`${prefix}gen:${scope}`), -1, 'generations never expire');
    await admin.del(`${prefix}gen:${scope}`);
    const afterEviction = await redis.cache.get(scope, 'balance:1');
    t.equal(afterEviction.hit, false, 'a lost generation does not revive values');
    if (!afterEviction.hit) t.not(afterEviction.stamp, miss.stamp, 'nor stamps: the new generation was never used');

    const window = `w-${randomUUID()}`;
    const hitAt = Date.now();
    await redis.rateLimitStore.hit(window, 5000);
    t.equal(await admin.get(`${prefix}rl:${window}`), '1');
    const windowTtl = await admin.pTTL(`${prefix}rl:${window}`);
    t.ok(windowTtl >= 5000 - since(hitAt) && windowTtl <= 5000, `the window expires with itself (${windowTtl} ms)`);

    const session = randomUUID();
    const deniedAt = Date.now();
    const until = new Date(deniedAt + 20_000);
    await redis.denylist.deny(session, until.toISOString());
    t.equal(await admin.get(`${prefix}deny:${session}`), String(until.getTime()));
    const denyTtl = await admin.pTTL(`${prefix}deny:${session}`);
    t.ok(denyTtl >= 20_000 - since(deniedAt) && denyTtl <= 20_000, `a denial lives as long as the token (${denyTtl} ms)`);
  });

  await t.test('a lost epoch key makes every value unreachable, then the cache works again', async (t) => {
    const redis = await open();
    t.teardown(() => redis.close());
    const scope = `s-${randomUUID()}`;
    const miss = await redis.cache.get(scope, 'k');
    if (miss.hit) return void t.fail('expected a miss');
    await redis.cache.put(scope, 'k', miss.stamp, 'old', 60);
    await admin.del(`${prefix}epoch`);
    t.same(await redis.cache.get(scope, 'k'), { hit: false, stamp: '' }, 'no epoch: a miss that cannot be put');
    let again = await redis.cache.get(scope, 'k');
    for (let i = 0; i < 50 && !again.hit && again.stamp === ''; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await redis.cache.get(scope, 'k');
    }
    t.equal(again.hit, false, 'the old value stays unreachable under the new epoch');
    if (again.hit) return;
    t.not(again.stamp, '', 'a new epoch was set');
    await redis.cache.put(scope, 'k', again.stamp, 'new', 60);
    t.same(await redis.cache.get(scope, 'k'), { hit: true, value: 'new' });
  });

  await t.test('two instances on one Redis share one rate-limit count', async (t) => {
    const [a, b] = [await open(), await open()];
    t.teardown(async () => {
      await a.close();
      await b.close();
    });
    const key = `shared-${randomUUID()}`;
    const n = 80;
    const hits = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? a : b).rateLimitStore.hit(key, 60_000)));
    t.same(
      hits.map((hit) => hit.count).sort((x, y) => x - y),
      Array.from({ length: n }, (_, i) => i + 1),
      `${n} concurrent hits split across two instances count 1..${n} exactly`,
    );
    t.equal(a.stats().rateLimitFallbacks + b.stats().rateLimitFallbacks, 0, 'no hit fell back to a per-instance count');
  });

  await t.test('freshness: no read that starts after an invalidation completed sees an older value', async (t) => {
    const [a, b] = [await open(), await open()];
    t.teardown(async () => {
      await a.close();
      await b.close();
    });
    const scope = `fresh-${randomUUID()}`;
    const db = { version: 0 };
    let invalidated = 0; // highest version whose invalidation has completed
    let stop = false;
    const violations: string[] = [];
    let hits = 0;
    let reads = 0;
    const random = seededRandom(testSeed(t), 'pauses');
    const pause = (max: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, random.next() * max));

    const writer = async (instance: RedisAdapters): Promise<void> => {
      while (!stop) {
        const version = ++db.version; // the commit
        await instance.cache.invalidate([scope]); // the after-commit hook
        invalidated = Math.max(invalidated, version);
        await pause(15);
      }
    };
    const reader = async (instance: RedisAdapters): Promise<void> => {
      while (!stop) {
        const floor = invalidated;
        reads++;
        const lookup = await instance.cache.get<number>(scope, 'balance');
        let seen: number;
        if (lookup.hit) {
          hits++;
          seen = lookup.value;
        } else {
          await pause(3);
          seen = db.version; // the database read
          await pause(3);
          await instance.cache.put(scope, 'balance', lookup.stamp, seen, 60);
        }
        if (seen < floor) violations.push(`read ${seen} after the invalidation of ${floor} completed`);
      }
    };
    const running = [writer(a), writer(b), reader(a), reader(a), reader(b), reader(b)];
    // At least 3 s of races, and on until the cache has served some reads: a loaded machine slows
    // the loops down, it must not decide whether the check below can be met (60 s: a hang guard).
    const started = Date.now();
    while (Date.now() - started < 3000 || (hits === 0 && Date.now() - started < 60_000)) await new Promise((resolve) => setTimeout(resolve, 50));
    stop = true;
    await Promise.all(running);
    t.same(violations.slice(0, 5), [], `no stale read in ${reads} reads against ${db.version} writes`);
    t.ok(hits > 0, `the cache served (${hits} hits of ${reads} reads)`);
    const last = await a.cache.get<number>(scope, 'balance');
    t.ok(!last.hit || last.value === db.version, 'the value cached at the end is the latest');
    t.equal(a.stats().cacheErrors + b.stats().cacheErrors, 0, 'no cache operation failed');
  });
}
