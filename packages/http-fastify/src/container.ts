import 'reflect-metadata';
import {
  CryptoRandomSource,
  DEFAULT_SCRYPT_COST,
  MemoryCache,
  MemoryDenylist,
  MemoryRateLimitStore,
  NoReadCache,
  ScryptHasher,
  Sha256Digest,
  SystemClock,
  UuidIds,
} from '@banking/adapters-memory';
import { openDatabase, type Database } from '@banking/adapters-postgres';
import { openRedis, type RedisAdapters } from '@banking/adapters-redis';
import {
  createBanking,
  DEFAULT_POLICY,
  TokenRevoked,
  type Banking,
  type BankingPolicy,
  type Cache,
  type Clock,
  type IdGenerator,
  type PasswordHasher,
  type RandomSource,
  type RateLimitStore,
  type SecretDigest,
  type TokenDenylist,
  type UnitOfWork,
} from '@banking/domain';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { container as rootContainer, instancePerContainerCachingFactory, type DependencyContainer } from 'tsyringe';
import { buildApp, type AppDeps } from './app.js';
import type { AppConfig } from './config.js';
import type { MetricsSource } from './plugins/metrics.plugin.js';
import type { ReadinessCheck } from './routes/operations.routes.js';
import { IdempotencySweeper } from './runtime/idempotency-sweeper.js';

/*
 * The composition root: the one file where adapters are chosen from configuration. Every port,
 * adapter and service is registered under a Symbol token with a factory (no decorators, no
 * emitted metadata: esbuild/tsx cannot emit it). A factory runs once per container, the first
 * time its token is resolved there.
 *
 * A test that needs another adapter overrides its registration on a child container:
 *
 *   const c = createContainer(config, log).createChildContainer();
 *   c.register(TOKENS.Hasher, { useFactory: () => new ScryptHasher(TEST_COST) });
 *   const { app, close } = await compose(c);
 *
 * `buildApp(deps)` itself knows nothing of this container: tests may still hand it plain deps.
 */

/** Opens a connection; resolved and awaited by `compose` before anything that needs it. */
export type Opener<T> = () => Promise<T>;

export const TOKENS = {
  Config: Symbol('AppConfig'),
  Logger: Symbol('Logger'),

  // Connections. Opening is asynchronous, so the openers are registered and `compose` awaits
  // them, then registers what they opened under Database and Redis (closed last, by `close`).
  OpenDatabase: Symbol('Opener<Database>'),
  OpenRedis: Symbol('Opener<RedisAdapters | null>'),
  Database: Symbol('Database'),
  /** RedisAdapters, or null when no Redis is configured. */
  Redis: Symbol('RedisAdapters | null'),

  // The in-process stores: used when there is no Redis (the rate-limit one also while Redis is down).
  LocalCache: Symbol('MemoryCache'),
  LocalDenylist: Symbol('MemoryDenylist'),
  LocalRateLimitStore: Symbol('MemoryRateLimitStore'),

  // The domain's ports.
  UnitOfWork: Symbol('UnitOfWork'),
  Clock: Symbol('Clock'),
  Ids: Symbol('IdGenerator'),
  Random: Symbol('RandomSource'),
  Hasher: Symbol('PasswordHasher'),
  Digest: Symbol('SecretDigest'),
  Cache: Symbol('Cache'),
  Denylist: Symbol('TokenDenylist'),
  RateLimitStore: Symbol('RateLimitStore'),
  Policy: Symbol('BankingPolicy'),

  // The use cases, and what the HTTP app needs beside them.
  Banking: Symbol('Banking'),
  IdempotencySweeper: Symbol('IdempotencySweeper'),
  Readiness: Symbol('ReadinessCheck[]'),
  MetricsSources: Symbol('MetricsSource[]'),
  AppDeps: Symbol('AppDeps'),
} as const;

/** A factory run once per container: a child container that resolves the token builds its own. */
const once = <T>(factory: (c: DependencyContainer) => T) => ({ useFactory: instancePerContainerCachingFactory<T>(factory) });

const redisOf = (c: DependencyContainer) => c.resolve<RedisAdapters | null>(TOKENS.Redis);

/** Every registration, on a new child of `parent`. Nothing is opened until `compose`. */
export function createContainer(config: AppConfig, log: Logger, parent: DependencyContainer = rootContainer): DependencyContainer {
  const c = parent.createChildContainer();
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.Logger, { useValue: log });

  // ── Where the money lives ──────────────────────────────────────────────────────────────────
  // DATABASE_URL set: a PostgreSQL server, through `pg` (pool of DB_POOL_MAX, DB_PIPELINE).
  // Unset: the embedded PostgreSQL (PGlite) in DATA_DIR. Same migrations (run on open), same queries.
  c.register<Opener<Database>>(
    TOKENS.OpenDatabase,
    once(() => {
      const { databaseUrl, dataDir } = config;
      const onHookError = (error: unknown) => log.warn({ err: error }, 'after-commit subscriber failed');
      if (databaseUrl !== undefined) {
        return () => openDatabase({ databaseUrl, dataDir, poolMax: config.dbPoolMax, pipeline: config.dbPipeline, onHookError, processName: 'banking-api' });
      }
      return () => openDatabase({ dataDir, onHookError, processName: 'banking-api' });
    }),
  );

  // ── Redis, or the process ──────────────────────────────────────────────────────────────────
  // REDIS_URL (or REDIS_HOST) set: cache, rate-limit counts and token denylist in Redis, shared by
  // every instance, each safe for a Redis outage (adapters-redis). Unset: null, and the Cache,
  // Denylist and RateLimitStore below are the in-process ones.
  c.register<Opener<RedisAdapters | null>>(
    TOKENS.OpenRedis,
    once((c) => {
      const { redisUrl } = config;
      if (redisUrl === undefined) return () => Promise.resolve(null);
      return () =>
        openRedis({
          url: redisUrl,
          keyPrefix: config.redisKeyPrefix,
          fallbackRateLimitStore: c.resolve<RateLimitStore>(TOKENS.LocalRateLimitStore),
          // While Redis cannot vouch for the denylist, the database says whether a session is revoked.
          isSessionRevoked: (sessionId) => isSessionRevoked(c.resolve<Banking>(TOKENS.Banking), sessionId),
          log: { warn: (obj, msg) => log.warn(obj, msg), info: (obj, msg) => log.info(obj, msg) },
        });
    }),
  );
  c.register<MemoryCache>(TOKENS.LocalCache, once(() => new MemoryCache()));
  c.register<MemoryDenylist>(TOKENS.LocalDenylist, once(() => new MemoryDenylist()));
  c.register<MemoryRateLimitStore>(TOKENS.LocalRateLimitStore, once(() => new MemoryRateLimitStore()));

  // ── The domain's ports ─────────────────────────────────────────────────────────────────────
  c.register<UnitOfWork>(TOKENS.UnitOfWork, once((c) => c.resolve<Database>(TOKENS.Database).uow));
  c.register<Clock>(TOKENS.Clock, once(() => new SystemClock()));
  c.register<IdGenerator>(TOKENS.Ids, once(() => new UuidIds()));
  c.register<RandomSource>(TOKENS.Random, once(() => new CryptoRandomSource()));
  c.register<PasswordHasher>(TOKENS.Hasher, once(() => new ScryptHasher(DEFAULT_SCRYPT_COST)));
  c.register<SecretDigest>(TOKENS.Digest, once(() => new Sha256Digest()));
  c.register<Cache>(
    TOKENS.Cache,
    // CACHE_TTL_SECONDS=0: no read cache, every read from the database.
    once((c) => (config.cacheTtlSeconds === 0 ? new NoReadCache() : (redisOf(c)?.cache ?? c.resolve<MemoryCache>(TOKENS.LocalCache)))),
  );
  c.register<TokenDenylist>(TOKENS.Denylist, once((c) => redisOf(c)?.denylist ?? c.resolve<MemoryDenylist>(TOKENS.LocalDenylist)));
  c.register<RateLimitStore>(
    TOKENS.RateLimitStore,
    once((c) => redisOf(c)?.rateLimitStore ?? c.resolve<MemoryRateLimitStore>(TOKENS.LocalRateLimitStore)),
  );
  c.register<BankingPolicy>(
    TOKENS.Policy,
    once(() => ({
      ...DEFAULT_POLICY,
      maxAmount: config.maxAmount,
      cacheTtlSeconds: config.cacheTtlSeconds,
      idempotencyTtlSeconds: config.idempotencyRetentionHours * 60 * 60,
      accessTokenTtlSeconds: config.accessTokenExpireMinutes * 60,
      refreshTokenTtlSeconds: config.refreshTokenExpireDays * 24 * 60 * 60,
    })),
  );

  // ── The use cases, and what the app needs beside them ───────────────────────────────────────
  c.register<Banking>(
    TOKENS.Banking,
    once((c) =>
      createBanking({
        uow: c.resolve(TOKENS.UnitOfWork),
        clock: c.resolve(TOKENS.Clock),
        ids: c.resolve(TOKENS.Ids),
        random: c.resolve(TOKENS.Random),
        hasher: c.resolve(TOKENS.Hasher),
        digest: c.resolve(TOKENS.Digest),
        cache: c.resolve(TOKENS.Cache),
        denylist: c.resolve(TOKENS.Denylist),
        policy: c.resolve(TOKENS.Policy),
      }),
    ),
  );

  c.register<IdempotencySweeper>(
    TOKENS.IdempotencySweeper,
    once((c) => {
      const banking = c.resolve<Banking>(TOKENS.Banking);
      return new IdempotencySweeper({
        sweep: (options) => banking.sweepIdempotencyRecords.execute(options),
        intervalMs: config.idempotencySweepIntervalSeconds * 1000,
        log: { info: (obj, msg) => log.info(obj, msg), warn: (obj, msg) => log.warn(obj, msg) },
      });
    }),
  );

  c.register<readonly ReadinessCheck[]>(
    TOKENS.Readiness,
    once((c) => {
      const database = c.resolve<Database>(TOKENS.Database);
      const redis = redisOf(c);
      return [
        { name: 'database', check: () => database.ping() },
        // Without Redis every request is still served from PostgreSQL: /ready says "degraded", not 503.
        ...(redis ? [{ name: 'redis', optional: true, check: () => redis.ping() }] : []),
      ];
    }),
  );

  c.register<readonly MetricsSource[]>(
    TOKENS.MetricsSources,
    once((c) => {
      const database = c.resolve<Database>(TOKENS.Database);
      const redis = redisOf(c);
      const sweeper = c.resolve<IdempotencySweeper>(TOKENS.IdempotencySweeper);
      const sources: MetricsSource[] = [
        { name: database.kind === 'postgres' ? 'db_pool' : 'db_embedded', stats: () => ({ ...database.stats() }) },
        { name: 'idempotency_sweep', stats: () => sweeper.stats() },
      ];
      if (redis) {
        sources.push({
          name: 'redis',
          stats: () => {
            const { connected, ...figures } = redis.stats();
            return { connected: connected ? 1 : 0, ...figures, cacheHitRatio: hitRatio(figures.cacheHits, figures.cacheMisses) };
          },
        });
      } else {
        const cache = c.resolve<MemoryCache>(TOKENS.LocalCache);
        sources.push({ name: 'cache', stats: () => ({ hits: cache.hits, misses: cache.misses, hitRatio: hitRatio(cache.hits, cache.misses) }) });
      }
      return sources;
    }),
  );

  c.register<AppDeps>(
    TOKENS.AppDeps,
    once(
      (c): AppDeps => ({
        banking: c.resolve(TOKENS.Banking),
        config,
        rateLimitStore: c.resolve(TOKENS.RateLimitStore),
        readiness: c.resolve(TOKENS.Readiness),
        metricsSources: c.resolve(TOKENS.MetricsSources),
        logger: { instance: log },
      }),
    ),
  );
  return c;
}

/** Whether the database has the session revoked (or has no such session): the denylist's backstop during a Redis outage. */
async function isSessionRevoked(banking: Banking, sessionId: string): Promise<boolean> {
  try {
    await banking.checkSession.execute({ sessionId });
    return false;
  } catch (error) {
    if (error instanceof TokenRevoked) return true;
    throw error;
  }
}

/** Hits over lookups since start (0 before the first lookup). */
function hitRatio(hits: number, misses: number): number {
  return hits + misses === 0 ? 0 : hits / (hits + misses);
}

export interface Composed {
  readonly app: FastifyInstance;
  /** The container the app was built from (with Database and Redis registered). */
  readonly container: DependencyContainer;
  /**
   * Stops the idempotency sweeper (after its current batch), closes the app (stops accepting,
   * drains in-flight requests), then the database and Redis.
   */
  readonly close: () => Promise<void>;
}

/** Factories rather than values: tsyringe takes a null value (no Redis) for no registration at all. */
function registerConnections(c: DependencyContainer, database: Database, redis: RedisAdapters | null): void {
  c.register(TOKENS.Database, { useFactory: () => database });
  c.register(TOKENS.Redis, { useFactory: () => redis });
}

/**
 * Opens the connections (database first, then Redis), registers them on `c`, restores the token
 * denylist from the database, builds the app and starts the idempotency sweeper. On failure,
 * whatever was opened is closed again.
 */
export async function compose(c: DependencyContainer): Promise<Composed> {
  const log = c.resolve<Logger>(TOKENS.Logger);
  const database = await c.resolve<Opener<Database>>(TOKENS.OpenDatabase)();
  let redis: RedisAdapters | null = null;
  const closeConnections = async () => {
    await Promise.allSettled([database.close(), redis?.close()]);
  };
  try {
    redis = await c.resolve<Opener<RedisAdapters | null>>(TOKENS.OpenRedis)();
    registerConnections(c, database, redis);
    const restored = await c.resolve<Banking>(TOKENS.Banking).restoreDenylist.execute();
    if (restored > 0) log.info({ sessions: restored }, 'denylist restored from the database');
    const app = await buildApp(c.resolve<AppDeps>(TOKENS.AppDeps));
    const sweeper = c.resolve<IdempotencySweeper>(TOKENS.IdempotencySweeper);
    sweeper.start();
    let closing: Promise<void> | undefined;
    return {
      app,
      container: c,
      close: () => {
        closing ??= (async () => {
          // A server that never listened (a start-up failure) has nothing to drain: no lines about it.
          const listening = app.server.listening;
          await sweeper.stop();
          await app.close();
          if (listening) log.info('HTTP server closed: in-flight requests drained');
          await closeConnections();
          if (listening) log.info('database and Redis connections closed');
        })();
        return closing;
      },
    };
  } catch (error) {
    await closeConnections();
    throw error;
  }
}
