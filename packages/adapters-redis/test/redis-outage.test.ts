import { MemoryRateLimitStore } from '@banking/adapters-memory';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import t from 'tap';
import type { Cache } from '@banking/domain';
import { openRedis, type RedisAdapters } from '@banking/adapters-redis';
import { PrivateRedis } from './support/private-redis.js';

// Every step runs against a redis-server of this test's own: pausing or killing the shared one
// would break the other helpers' tests. One instance only, so no recovery grace: what is tested
// here is Redis' own recovery (epoch, denials written back); the grace has its own test.

const COMMAND_TIMEOUT_MS = 200;
const HANG_GUARD_MS = 3000;
const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

/** The promise's value, or a failure when it hangs (a guard against hanging, not a speed check). */
async function settles<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${HANG_GUARD_MS} ms`)), HANG_GUARD_MS);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function eventually(condition: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting until ${what}`);
}

async function fill(cache: Cache, scope: string, key: string, value: unknown): Promise<void> {
  const lookup = await cache.get(scope, key);
  if (lookup.hit) throw new Error('expected a miss');
  await cache.put(scope, key, lookup.stamp, value, 600);
}

interface LogLine {
  readonly level: 'warn' | 'info';
  readonly msg: string;
}

const server = await PrivateRedis.start();
t.teardown(() => server.stop());
const admin = createClient({ url: server.url, socket: { reconnectStrategy: 100 } });
admin.on('error', () => undefined);
await admin.connect();
t.teardown(() => admin.destroy());

const prefix = 'outage:';
const logs: LogLine[] = [];
const log = {
  warn: (_: object, msg: string) => void logs.push({ level: 'warn', msg }),
  info: (_: object, msg: string) => void logs.push({ level: 'info', msg }),
};
const fallback = new MemoryRateLimitStore();
/** No session is revoked in the (absent) store of record: the denylist answers from Redis and this instance. */
const noDatabase = { isSessionRevoked: () => Promise.resolve(false) };
const open = (): Promise<RedisAdapters> =>
  openRedis({ url: server.url, keyPrefix: prefix, commandTimeoutMs: COMMAND_TIMEOUT_MS, fallbackRateLimitStore: fallback, ...noDatabase, recoveryGraceMs: 0, log });

const redis = await open();
t.teardown(() => redis.close());

const pausedScope = `user:${randomUUID()}`;
const killedScope = `user:${randomUUID()}`;
const before = randomUUID();
const duringPause = randomUUID();
const duringKill = randomUUID();

await t.test('healthy before the outage', async (t) => {
  t.equal(redis.isReady(), true);
  await fill(redis.cache, pausedScope, 'balance', { balance: 100 });
  t.same(await redis.cache.get(pausedScope, 'balance'), { hit: true, value: { balance: 100 } }, 'a cached value');
  await redis.denylist.deny(before, inMs(600_000));
  t.equal((await redis.rateLimitStore.hit('client-a', 60_000)).count, 1, 'counted in Redis');
  t.equal(await admin.get(`${prefix}rl:client-a`), '1');
});

await t.test('paused (SIGSTOP): everything answers, nothing throws', async (t) => {
  server.pause();
  const miss = await settles(redis.cache.get(pausedScope, 'balance'), 'a cache get');
  t.equal(miss.hit, false, 'the cache is a miss (the first get times out)');
  t.equal(redis.isReady(), false, 'not ready once a command timed out');
  await t.rejects(settles(redis.ping(), 'ping'), 'ping rejects');
  t.equal((await settles(redis.cache.get(pausedScope, 'balance'), 'a second get')).hit, false, 'later gets miss at once');
  await settles(redis.cache.invalidate([pausedScope]), 'invalidate'); // a movement commits during the pause
  const lookup = await redis.cache.get(pausedScope, 'other');
  if (lookup.hit) return void t.fail('expected a miss');
  await settles(redis.cache.put(pausedScope, 'other', lookup.stamp, 'during the pause', 60), 'put');

  const hits = [];
  for (let i = 0; i < 3; i++) hits.push((await settles(redis.rateLimitStore.hit('client-a', 60_000), 'a rate-limit hit')).count);
  t.same(hits, [1, 2, 3], 'the rate limit falls back to the per-instance store');
  t.equal(redis.stats().rateLimitFallbacks, 3, 'fallbacks are counted');

  t.equal(await settles(redis.denylist.isDenied(before), 'isDenied'), true, 'a session denied before the outage stays denied');
  await settles(redis.denylist.deny(duringPause, inMs(600_000)), 'deny');
  t.equal(await redis.denylist.isDenied(duringPause), true, 'a session denied during the outage is denied');
  t.equal(await redis.denylist.isDenied(randomUUID()), false, 'others are not');

  t.match(redis.stats(), { connected: false });
  t.equal(logs.filter((line) => line.msg.startsWith('Redis unavailable')).length, 1, 'the outage is logged once');
  t.equal(logs.filter((line) => line.msg.startsWith('Rate limits counted per instance')).length, 1, 'the fallback is logged once');
});

await t.test('resumed (SIGCONT): recovered, and nothing stale is served', async (t) => {
  server.resume();
  await eventually(() => redis.isReady(), 'the adapters are ready again');
  await t.resolves(redis.ping(), 'ping answers again');
  t.equal((await redis.cache.get(pausedScope, 'balance')).hit, false, 'the value invalidated during the pause is not served');
  t.equal((await redis.cache.get(pausedScope, 'other')).hit, false, 'nothing put during the pause is served');
  t.equal(await admin.exists(`${prefix}deny:${duringPause}`), 1, 'the deny made during the pause is in Redis');
  t.equal((await redis.rateLimitStore.hit('client-a', 60_000)).count, 2, 'the shared count resumes in Redis');
  t.equal(redis.stats().reconnects, 1, 'one recovery counted');
  t.ok(logs.some((line) => line.level === 'info' && line.msg === 'Redis available again'), 'the recovery is logged');
});

await t.test('killed, then restarted from a snapshot: an invalidation lost in the outage still holds', async (t) => {
  await fill(redis.cache, killedScope, 'balance', { balance: 200 });
  t.same(await redis.cache.get(killedScope, 'balance'), { hit: true, value: { balance: 200 } });
  await admin.sendCommand(['SAVE']); // the value, its generation and the epoch survive the restart
  await server.kill();
  await eventually(() => !redis.isReady(), 'the adapters see the connection drop');

  await settles(redis.cache.invalidate([killedScope]), 'invalidate'); // lost: Redis is gone
  t.equal((await settles(redis.cache.get(killedScope, 'balance'), 'get')).hit, false, 'a miss while down');
  await settles(redis.denylist.deny(duringKill, inMs(600_000)), 'deny');
  t.equal(await settles(redis.denylist.isDenied(duringKill), 'isDenied'), true);
  t.equal((await settles(redis.rateLimitStore.hit('client-b', 60_000), 'hit')).count, 1, 'per-instance count while down');
  await t.rejects(settles(redis.ping(), 'ping'), 'ping rejects while down');

  await server.restart();
  const restored = [];
  for await (const keys of admin.scanIterator({ MATCH: `${prefix}val:${killedScope}:*` })) restored.push(...keys);
  t.equal(restored.length, 1, 'the old value is back in Redis with the snapshot');
  await eventually(() => redis.isReady(), 'the client reconnects');
  await t.resolves(redis.ping(), 'ping answers');
  t.equal((await redis.cache.get(killedScope, 'balance')).hit, false, 'yet it is not served: the recovery replaced the epoch');
  await fill(redis.cache, killedScope, 'balance', { balance: 150 });
  t.same(await redis.cache.get(killedScope, 'balance'), { hit: true, value: { balance: 150 } }, 'and the cache works again');
  for (const id of [before, duringPause, duringKill]) t.equal(await admin.exists(`${prefix}deny:${id}`), 1, 'this instance denials are in Redis again');

  const other = await open();
  t.teardown(() => other.close());
  t.equal(await other.denylist.isDenied(duringKill), true, 'another instance sees the deny made during the outage');
  t.equal(redis.stats().reconnects, 2);
});

await t.test('started while Redis is down: degraded at once, healthy when it comes', async (t) => {
  await server.kill();
  const startedAt = Date.now();
  const late = await settles(
    openRedis({
      url: server.url,
      keyPrefix: prefix,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      connectTimeoutMs: 300,
      fallbackRateLimitStore: new MemoryRateLimitStore(),
      ...noDatabase,
      recoveryGraceMs: 0,
    }),
    'openRedis',
  );
  t.teardown(() => late.close());
  t.ok(Date.now() - startedAt < HANG_GUARD_MS, 'openRedis returned');
  t.equal(late.isReady(), false);
  t.equal((await late.cache.get('s', 'k')).hit, false);
  t.equal((await late.rateLimitStore.hit('k', 1000)).count, 1);
  t.equal(await late.denylist.isDenied(randomUUID()), false);
  await t.rejects(late.ping());
  await server.restart();
  await eventually(() => late.isReady(), 'it connects once Redis is up');
  t.equal(late.stats().reconnects, 0, 'a first connection is not a reconnect');
  t.equal((await late.rateLimitStore.hit(`k-${randomUUID()}`, 1000)).count, 1);
  t.equal(late.stats().rateLimitFallbacks, 1, 'only the hit made while down fell back');
});

await t.test('close while paused does not hang', async (t) => {
  const doomed = await open();
  server.pause();
  await settles(doomed.cache.get('s', 'k'), 'get');
  await settles(doomed.close(), 'close');
  server.resume();
  t.equal(doomed.isReady(), false);
});
