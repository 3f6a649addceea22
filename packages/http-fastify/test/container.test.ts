import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCache, MemoryDenylist, MemoryRateLimitStore, NoReadCache, SystemClock } from '@banking/adapters-memory';
import type { Database } from '@banking/adapters-postgres';
import type { RedisAdapters } from '@banking/adapters-redis';
import type { Clock } from '@banking/domain';
import pino from 'pino';
import t from 'tap';
import type { MetricsSource, ReadinessCheck } from '../src/index.js';
import { compose, createContainer, TOKENS, type Opener } from '../src/container.js';
import { API, json, signUp, testConfig, testHasher } from './app-harness.js';
import { freshDatabase, MACHINE_REDIS_URL, redisPrefix, requireServices } from './support/services.js';

// The composition root: which adapters each configuration gets, and how a test swaps one.

const silent = pino({ level: 'silent' });

await t.test('no DATABASE_URL, no REDIS_URL: the embedded PostgreSQL in DATA_DIR and the in-process stores', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'bank-container-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const { app, container, close } = await compose(createContainer(testConfig({ DATA_DIR: dataDir }), silent));
  try {
    t.equal(container.resolve<Database>(TOKENS.Database).kind, 'pglite');
    t.equal(container.resolve(TOKENS.Redis), null);
    t.ok(container.resolve(TOKENS.Cache) instanceof MemoryCache);
    t.equal(container.resolve(TOKENS.Cache), container.resolve(TOKENS.LocalCache), 'one in-process cache: the one /metrics reports');
    t.ok(container.resolve(TOKENS.Denylist) instanceof MemoryDenylist);
    t.ok(container.resolve(TOKENS.RateLimitStore) instanceof MemoryRateLimitStore);
    t.same(container.resolve<readonly ReadinessCheck[]>(TOKENS.Readiness).map((check) => check.name), ['database']);
    t.same(container.resolve<readonly MetricsSource[]>(TOKENS.MetricsSources).map((source) => source.name), ['db_embedded', 'idempotency_sweep', 'cache']);
    t.equal(json(await app.inject({ method: 'GET', url: '/ready' })).status, 'ready');
    const alice = await signUp(app);
    t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: alice.headers })).statusCode, 200);
  } finally {
    await close();
  }
});

await t.test('DATABASE_URL and REDIS_URL: the PostgreSQL server and Redis', async (t) => {
  if (!(await requireServices(t))) return;
  const db = await freshDatabase(t);
  const prefix = redisPrefix(t);
  const c = createContainer(testConfig({ DATABASE_URL: db.url, REDIS_URL: MACHINE_REDIS_URL, REDIS_KEY_PREFIX: prefix }), silent).createChildContainer();
  c.register(TOKENS.Hasher, { useFactory: testHasher });
  const { app, container, close } = await compose(c);
  t.teardown(close);
  t.equal(container.resolve<Database>(TOKENS.Database).kind, 'postgres');
  const redis = container.resolve<RedisAdapters>(TOKENS.Redis);
  t.equal(container.resolve(TOKENS.Cache), redis.cache);
  t.equal(container.resolve(TOKENS.Denylist), redis.denylist);
  t.equal(container.resolve(TOKENS.RateLimitStore), redis.rateLimitStore);
  t.same(container.resolve<readonly ReadinessCheck[]>(TOKENS.Readiness).map((check) => check.name), ['database', 'redis']);
  t.same(container.resolve<readonly MetricsSource[]>(TOKENS.MetricsSources).map((source) => source.name), ['db_pool', 'idempotency_sweep', 'redis']);
  const bob = await signUp(app);
  t.equal((await app.inject({ method: 'POST', url: `${API}/auth/logout`, headers: bob.headers })).statusCode, 204);
  t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: bob.headers })).statusCode, 401, 'the logout is in the Redis denylist');
});

await t.test('CACHE_TTL_SECONDS=0: no read cache', async (t) => {
  if (!(await requireServices(t))) return;
  const db = await freshDatabase(t);
  const { container, close } = await compose(createContainer(testConfig({ DATABASE_URL: db.url, CACHE_TTL_SECONDS: '0' }), silent));
  t.teardown(close);
  t.ok(container.resolve(TOKENS.Cache) instanceof NoReadCache);
});

await t.test('a test swaps an adapter on a child container; the production registrations stay as they are', async (t) => {
  if (!(await requireServices(t))) return;
  const db = await freshDatabase(t);
  const parent = createContainer(testConfig({ DATABASE_URL: db.url }), silent);
  const child = parent.createChildContainer();
  const fixed: Clock = { now: () => new Date('2030-01-02T03:04:05.000Z') };
  child.register(TOKENS.Clock, { useValue: fixed });
  child.register(TOKENS.Hasher, { useFactory: testHasher });
  const { app, close } = await compose(child);
  t.teardown(close);
  const registered = await app.inject({ method: 'POST', url: `${API}/auth/register`, payload: { email: 'clock@example.com', password: 'password123', full_name: 'Clock Test' } });
  t.equal(registered.statusCode, 201);
  t.equal(json(registered).created_at, '2030-01-02T03:04:05.000Z', "the use cases were built with the child's clock");
  t.ok(parent.resolve(TOKENS.Clock) instanceof SystemClock, 'the parent still has the system clock');
});

await t.test('a failed start closes what it had opened', async (t) => {
  if (!(await requireServices(t))) return;
  const db = await freshDatabase(t);
  const c = createContainer(testConfig({ DATABASE_URL: db.url }), silent).createChildContainer();
  const openDatabase = c.resolve<Opener<Database>>(TOKENS.OpenDatabase);
  let closed = 0;
  c.register<Opener<Database>>(TOKENS.OpenDatabase, {
    useValue: async () => {
      const database = await openDatabase();
      return {
        ...database,
        close: async () => {
          closed += 1;
          await database.close();
        },
      };
    },
  });
  c.register<Opener<null>>(TOKENS.OpenRedis, { useValue: () => Promise.reject(new Error('Redis refused')) });
  await t.rejects(compose(c), { message: 'Redis refused' });
  t.equal(closed, 1, 'the database was closed');
});
