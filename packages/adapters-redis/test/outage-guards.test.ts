import { MemoryCache, MemoryDenylist } from '@banking/adapters-memory';
import { cacheContract, denylistContract } from '@banking/testing';
import t from 'tap';
import { OutageSafeCache } from '../src/outage-safe-cache.js';
import { OutageSafeDenylist } from '../src/outage-safe-denylist.js';
import { RecoveryGrace, type RedisHealth } from '../src/recovery-grace.js';

// The guards around Redis' cache and denylist (on in-memory stores and a scripted connection
// state): what they do while Redis is down and during the grace after it returns.

class ScriptedRedis implements RedisHealth {
  ready = true;
  reconnects = 0;
  isReady(): boolean {
    return this.ready;
  }
  stats() {
    return { reconnects: this.reconnects };
  }
}

const GRACE = 10_000;

function guards() {
  let now = 1_000_000;
  const redis = new ScriptedRedis();
  const grace = new RecoveryGrace(redis, GRACE, () => now);
  const shared = new MemoryCache();
  const cache = new OutageSafeCache(shared, grace);
  const deniedShared = new MemoryDenylist();
  const lookups: string[] = [];
  const revokedInDb = new Set<string>();
  const denylist = new OutageSafeDenylist(deniedShared, grace, (id) => {
    lookups.push(id);
    return Promise.resolve(revokedInDb.has(id));
  });
  return { redis, grace, shared, cache, deniedShared, denylist, lookups, revokedInDb, tick: (ms: number) => void (now += ms) };
}

const fill = async (cache: OutageSafeCache, scope: string, key: string, value: unknown) => {
  const lookup = await cache.get(scope, key);
  if (!lookup.hit) await cache.put(scope, key, lookup.stamp, value, 60);
};

await t.test('healthy, both guards keep the port contracts', async (t) => {
  await cacheContract(t, () => Promise.resolve({ cache: guards().cache, close: () => Promise.resolve() }));
  await denylistContract(t, () => Promise.resolve({ denylist: guards().denylist, close: () => Promise.resolve() }));
});

await t.test('RecoveryGrace: active while Redis is down and for the grace after each recovery', async (t) => {
  const { redis, grace, tick } = guards();
  t.equal(grace.active(), false, 'healthy, no recovery seen: inactive');
  redis.ready = false;
  t.equal(grace.active(), true, 'down: active');
  redis.ready = true;
  redis.reconnects = 1;
  t.equal(grace.active(), true, 'just recovered: active');
  tick(GRACE - 1);
  t.equal(grace.active(), true, 'still within the grace');
  tick(1);
  t.equal(grace.active(), false, 'grace over');
  redis.reconnects = 2;
  tick(60_000);
  t.equal(grace.active(), true, 'a recovery first seen late still opens a grace (the instance may have been idle)');
});

await t.test('OutageSafeCache: serves from Redis when healthy, bypasses it (no reads, no puts) while down and during the grace', async (t) => {
  const { redis, shared, cache, tick } = guards();
  await fill(cache, 'user:1', 'balance', 100);
  t.same(await cache.get('user:1', 'balance'), { hit: true, value: 100 }, 'healthy: a hit');

  redis.ready = false;
  const down = await cache.get('user:1', 'balance');
  t.equal(down.hit, false, 'down: a miss without asking the store');
  redis.ready = true;
  redis.reconnects = 1;
  const during = await cache.get('user:2', 'balance');
  t.equal(during.hit, false, 'just recovered: a miss, even for a value the store has');
  t.equal((await cache.get('user:1', 'balance')).hit, false, '…including the one cached before');
  if (!during.hit) await cache.put('user:2', 'balance', during.stamp, 5, 60);
  t.equal(cache.bypassed, 3, 'bypassed reads are counted');
  const before = await shared.get('user:1', 'other');
  if (!before.hit) await cache.put('user:1', 'other', before.stamp, 7, 60);
  t.equal((await shared.get('user:2', 'balance')).hit, false, 'nothing is stored during the grace (bypass stamp)');
  t.equal((await shared.get('user:1', 'other')).hit, false, 'nothing is stored during the grace (a stamp taken by the store)');

  await cache.invalidate(['user:1']);
  t.equal((await shared.get('user:1', 'balance')).hit, false, 'invalidations always reach the store');

  tick(GRACE);
  await fill(cache, 'user:3', 'balance', 42);
  t.same(await cache.get('user:3', 'balance'), { hit: true, value: 42 }, 'after the grace: cached and served again');
});

await t.test('OutageSafeDenylist: the database answers for sessions Redis cannot vouch for', async (t) => {
  const { redis, denylist, deniedShared, lookups, revokedInDb, tick } = guards();
  const later = new Date(Date.now() + 60_000).toISOString();
  await denylist.deny('mine', later);
  t.equal(await deniedShared.isDenied('mine'), true, 'deny goes to the shared store');
  revokedInDb.add('theirs');

  t.equal(await denylist.isDenied('mine'), true, 'healthy: denied by the store');
  t.equal(await denylist.isDenied('theirs'), false, 'healthy: the store is trusted (no lookup)');
  t.same(lookups, [], 'healthy: no database lookup');

  redis.ready = false;
  t.equal(await denylist.isDenied('theirs'), true, 'down: a session revoked on another instance is refused (database)');
  t.equal(await denylist.isDenied('live'), false, 'down: a live session is accepted');
  t.equal(await denylist.isDenied('mine'), true, 'down: the store’s own answer still counts');
  t.same(lookups, ['theirs', 'live'], 'down: looked up only when the store does not deny');

  redis.ready = true;
  redis.reconnects = 1;
  t.equal(await denylist.isDenied('theirs'), true, 'just recovered: still looked up (other instances may not have written theirs back)');
  tick(GRACE);
  lookups.length = 0;
  t.equal(await denylist.isDenied('theirs'), false, 'after the grace: the store is trusted again');
  t.same(lookups, [], 'after the grace: no lookup');

  const failing = new OutageSafeDenylist(
    { deny: () => Promise.resolve(), isDenied: () => ((redis.ready = false), Promise.resolve(false)) },
    new RecoveryGrace(redis, GRACE),
    () => Promise.resolve(true),
  );
  redis.ready = true;
  t.equal(await failing.isDenied('x'), true, 'Redis failing during the call (the adapter answers false): the database decides');
});
