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
} from '@banking/domain';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { buildApp, type AppDeps } from './app.js';
import type { AppConfig } from './config.js';
import type { MetricsSource } from './plugins/metrics.plugin.js';
import type { ReadinessCheck } from './routes/operations.routes.js';
import { IdempotencySweeper } from './runtime/idempotency-sweeper.js';

/** Registration tokens: Symbols, registered by factory only (no decorators, no emitted metadata). */
export const TOKENS = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  Database: Symbol('Database'),
  /** RedisAdapters, or null when no Redis is configured. */
  Redis: Symbol('Redis'),
  Clock: Symbol('Clock'),
  Ids: Symbol('IdGenerator'),
  Random: Symbol('RandomSource'),
  Hasher: Symbol('PasswordHasher'),
  Digest: Symbol('SecretDigest'),
  Cache: Symbol('Cache'),
  Denylist: Symbol('TokenDenylist'),
  RateLimitStore: Symbol('RateLimitStore'),
  Policy: Symbol('BankingPolicy'),
  Banking: Symbol('Banking'),
  IdempotencySweeper: Symbol('IdempotencySweeper'),
  Readiness: Symbol('ReadinessChecks'),
  MetricsSources: Symbol('MetricsSources'),
  AppDeps: Symbol('AppDeps'),
} as const;

/** The connections that must be opened before anything is resolved, and closed last. */
export interface Resources {
  readonly database: Database;
  readonly redis: RedisAdapters | null;
  /** The in-process stores used when there is no Redis (one per process). */
  readonly local: { readonly cache: MemoryCache; readonly denylist: MemoryDenylist; readonly rateLimitStore: MemoryRateLimitStore };
}

/** Whether the database has the session revoked (or has no such session): the denylist's backstop during a Redis outage. */
function sessionRevokedIn(banking: () => Banking): (sessionId: string) => Promise<boolean> {
  return async (sessionId) => {
    try {
      await banking().checkSession.execute({ sessionId });
      return false;
    } catch (error) {
      if (error instanceof TokenRevoked) return true;
      throw error;
    }
  };
}

/**
 * Opens the database (PostgreSQL at DATABASE_URL, else PGlite in DATA_DIR, migrated) and Redis
 * when configured. `banking` is asked lazily, once the container has built it.
 */
export async function openResources(config: AppConfig, log: Logger, banking: () => Banking): Promise<Resources> {
  const local = { cache: new MemoryCache(), denylist: new MemoryDenylist(), rateLimitStore: new MemoryRateLimitStore() };
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    processName: 'banking-api',
    poolMax: config.dbPoolMax,
    pipeline: config.dbPipeline,
    onHookError: (error) => log.warn({ err: error }, 'after-commit hook failed'),
  });
  let redis: RedisAdapters | null = null;
  if (config.redisUrl !== undefined) {
    try {
      redis = await openRedis({
        url: config.redisUrl,
        keyPrefix: config.redisKeyPrefix,
        fallbackRateLimitStore: local.rateLimitStore,
        isSessionRevoked: sessionRevokedIn(banking),
        log: { warn: (obj, msg) => log.warn(obj, msg), info: (obj, msg) => log.info(obj, msg) },
      });
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return { database, redis, local };
}

export async function closeResources(resources: Resources): Promise<void> {
  await Promise.allSettled([resources.database.close(), resources.redis?.close()]);
}

/** Hits over lookups since start (0 before the first lookup). */
function hitRatio(hits: number, misses: number): number {
  return hits + misses === 0 ? 0 : hits / (hits + misses);
}

/** A child container with every port, the use cases and the app's dependencies registered. */
export function createContainer(config: AppConfig, log: Logger, resources: Resources, parent: DependencyContainer = rootContainer): DependencyContainer {
  const c = parent.createChildContainer();
  const single = <T>(factory: (c: DependencyContainer) => T) => ({ useFactory: instanceCachingFactory<T>(factory) });

  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.Logger, { useValue: log });
  c.register(TOKENS.Database, { useValue: resources.database });
  c.register(TOKENS.Redis, { useValue: resources.redis });

  c.register<Clock>(TOKENS.Clock, single(() => new SystemClock()));
  c.register<IdGenerator>(TOKENS.Ids, single(() => new UuidIds()));
  c.register<RandomSource>(TOKENS.Random, single(() => new CryptoRandomSource()));
  c.register<PasswordHasher>(TOKENS.Hasher, single(() => new ScryptHasher(DEFAULT_SCRYPT_COST)));
  c.register<SecretDigest>(TOKENS.Digest, single(() => new Sha256Digest()));
  c.register<Cache>(TOKENS.Cache, single(() => (config.cacheTtlSeconds === 0 ? new NoReadCache() : (resources.redis?.cache ?? resources.local.cache))));
  c.register<TokenDenylist>(TOKENS.Denylist, single(() => resources.redis?.denylist ?? resources.local.denylist));
  c.register<RateLimitStore>(TOKENS.RateLimitStore, single(() => resources.redis?.rateLimitStore ?? resources.local.rateLimitStore));
  c.register<BankingPolicy>(
    TOKENS.Policy,
    single(() => ({
      ...DEFAULT_POLICY,
      maxAmount: config.maxAmount,
      cacheTtlSeconds: config.cacheTtlSeconds,
      idempotencyTtlSeconds: config.idempotencyRetentionHours * 60 * 60,
      accessTokenTtlSeconds: config.accessTokenExpireMinutes * 60,
      refreshTokenTtlSeconds: config.refreshTokenExpireDays * 24 * 60 * 60,
    })),
  );

  c.register<Banking>(
    TOKENS.Banking,
    single((c) =>
      createBanking({
        uow: c.resolve<Database>(TOKENS.Database).uow,
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
    single((c) => {
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
    single(() => [
      { name: 'database', check: () => resources.database.ping() },
      // Without Redis every request is still served from PostgreSQL: /ready says "degraded", not 503.
      ...(resources.redis ? [{ name: 'redis', optional: true, check: () => resources.redis!.ping() }] : []),
    ]),
  );

  c.register<readonly MetricsSource[]>(
    TOKENS.MetricsSources,
    single((c) => {
      const { database, redis, local } = resources;
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
            return {
              connected: connected ? 1 : 0,
              ...figures,
              cacheHitRatio: hitRatio(figures.cacheHits, figures.cacheMisses),
            };
          },
        });
      } else {
        sources.push({
          name: 'cache',
          stats: () => ({ hits: local.cache.hits, misses: local.cache.misses, hitRatio: hitRatio(local.cache.hits, local.cache.misses) }),
        });
      }
      return sources;
    }),
  );

  c.register<AppDeps>(
    TOKENS.AppDeps,
    single(
      (c): AppDeps => ({
        banking: c.resolve<Banking>(TOKENS.Banking),
        config,
        rateLimitStore: c.resolve<RateLimitStore>(TOKENS.RateLimitStore),
        readiness: c.resolve<readonly ReadinessCheck[]>(TOKENS.Readiness),
        metricsSources: c.resolve<readonly MetricsSource[]>(TOKENS.MetricsSources),
        logger: { instance: log },
      }),
    ),
  );
  return c;
}

export interface Composed {
  readonly app: FastifyInstance;
  readonly container: DependencyContainer;
  /**
   * Stops the idempotency sweeper (after its current batch), closes the app (stops accepting,
   * drains in-flight requests), then the database and Redis.
   */
  close(): Promise<void>;
}

/** Opens the resources, restores the token denylist from the database, and builds the app. */
export async function compose(config: AppConfig, log: Logger, override?: (c: DependencyContainer) => void): Promise<Composed> {
  let container: DependencyContainer | undefined;
  const resources = await openResources(config, log, () => {
    if (container === undefined) throw new Error('the bank was asked for before the container was built');
    return container.resolve<Banking>(TOKENS.Banking);
  });
  try {
    container = createContainer(config, log, resources);
    override?.(container);
    const banking = container.resolve<Banking>(TOKENS.Banking);
    const restored = await banking.restoreDenylist.execute();
    if (restored > 0) log.info({ sessions: restored }, 'denylist restored from the database');
    const app = await buildApp(container.resolve<AppDeps>(TOKENS.AppDeps));
    const sweeper = container.resolve<IdempotencySweeper>(TOKENS.IdempotencySweeper);
    sweeper.start();
    let closing: Promise<void> | undefined;
    return {
      app,
      container,
      close: () => {
        // A server that never listened (start-up failed) has nothing to report about shutting down.
        const listening = app.server.listening;
        closing ??= (async () => {
          await sweeper.stop();
          await app.close();
          if (listening) log.info('HTTP server closed: in-flight requests drained');
          await closeResources(resources);
          if (listening) log.info('database and Redis connections closed');
        })();
        return closing;
      },
    };
  } catch (error) {
    await closeResources(resources);
    throw error;
  }
}
