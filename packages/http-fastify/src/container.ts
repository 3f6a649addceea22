import 'reflect-metadata';
import { openDatabase, type Database } from '@banking/adapters-postgres';
import { openRedis, type RedisAdapters } from '@banking/adapters-redis';
import {
  createBanking,
  DEFAULT_POLICY,
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
import { MemoryCache, MemoryDenylist, MemoryRateLimitStore } from '@banking/testing';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { buildApp, type AppDeps } from './app.js';
import type { AppConfig } from './config.js';
import type { MetricsSource } from './plugins/metrics.plugin.js';
import type { ReadinessCheck } from './routes/operations.routes.js';
import { CryptoRandomSource } from './runtime/crypto-random-source.js';
import { NoReadCache } from './runtime/no-read-cache.js';
import { OutageSafeCache } from './runtime/outage-safe-cache.js';
import { OutageSafeDenylist, sessionRevokedIn } from './runtime/outage-safe-denylist.js';
import { RecoveryGrace } from './runtime/recovery-grace.js';
import { DEFAULT_SCRYPT_COST, ScryptHasher } from './runtime/scrypt-hasher.js';
import { Sha256Digest } from './runtime/sha256-digest.js';
import { SystemClock } from './runtime/system-clock.js';
import { UuidIds } from './runtime/uuid-ids.js';

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

/** Opens the database (PostgreSQL at DATABASE_URL, else PGlite in DATA_DIR, migrated) and Redis when configured. */
export async function openResources(config: AppConfig, log: Logger): Promise<Resources> {
  const local = { cache: new MemoryCache(), denylist: new MemoryDenylist(), rateLimitStore: new MemoryRateLimitStore() };
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.dbPoolMax,
    pipeline: config.dbPipeline,
    onHookError: (error) => log.warn({ err: error }, 'after-commit subscriber failed'),
  });
  let redis: RedisAdapters | null = null;
  if (config.redisUrl !== undefined) {
    try {
      redis = await openRedis({
        url: config.redisUrl,
        keyPrefix: config.redisKeyPrefix,
        fallbackRateLimitStore: local.rateLimitStore,
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
  // Redis' cache and denylist, made safe for the moments when Redis is down or just came back.
  const grace = resources.redis ? new RecoveryGrace(resources.redis) : undefined;
  c.register<Cache>(
    TOKENS.Cache,
    single(() => {
      if (config.cacheTtlSeconds === 0) return new NoReadCache();
      return resources.redis && grace ? new OutageSafeCache(resources.redis.cache, grace) : resources.local.cache;
    }),
  );
  c.register<TokenDenylist>(
    TOKENS.Denylist,
    single(() =>
      resources.redis && grace
        ? new OutageSafeDenylist(resources.redis.denylist, grace, sessionRevokedIn(resources.database.uow))
        : resources.local.denylist,
    ),
  );
  c.register<RateLimitStore>(TOKENS.RateLimitStore, single(() => resources.redis?.rateLimitStore ?? resources.local.rateLimitStore));
  c.register<BankingPolicy>(
    TOKENS.Policy,
    single(() => ({
      ...DEFAULT_POLICY,
      maxAmount: config.maxAmount,
      cacheTtlSeconds: config.cacheTtlSeconds,
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

  c.register<readonly ReadinessCheck[]>(
    TOKENS.Readiness,
    single(() => [
      { name: 'database', check: () => resources.database.ping() },
      ...(resources.redis ? [{ name: 'redis', check: () => resources.redis!.ping() }] : []),
    ]),
  );

  c.register<readonly MetricsSource[]>(
    TOKENS.MetricsSources,
    single((c) => {
      const { database, redis, local } = resources;
      const cache = c.resolve<Cache>(TOKENS.Cache);
      const sources: MetricsSource[] = [{ name: database.kind === 'postgres' ? 'db_pool' : 'db_embedded', stats: () => ({ ...database.stats() }) }];
      if (redis) {
        sources.push({
          name: 'redis',
          stats: () => {
            const { connected, ...figures } = redis.stats();
            return {
              connected: connected ? 1 : 0,
              ...figures,
              cacheHitRatio: hitRatio(figures.cacheHits, figures.cacheMisses),
              cacheBypassed: cache instanceof OutageSafeCache ? cache.bypassed : 0,
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
  /** Closes the app (stops accepting, drains in-flight requests), then the database and Redis. */
  close(): Promise<void>;
}

/** Opens the resources, restores the token denylist from the database, and builds the app. */
export async function compose(config: AppConfig, log: Logger, override?: (c: DependencyContainer) => void): Promise<Composed> {
  const resources = await openResources(config, log);
  try {
    const container = createContainer(config, log, resources);
    override?.(container);
    const banking = container.resolve<Banking>(TOKENS.Banking);
    const restored = await banking.restoreDenylist.execute();
    if (restored > 0) log.info({ sessions: restored }, 'denylist restored from the database');
    const app = await buildApp(container.resolve<AppDeps>(TOKENS.AppDeps));
    let closing: Promise<void> | undefined;
    return {
      app,
      container,
      close: () => {
        closing ??= (async () => {
          await app.close();
          log.info('HTTP server closed: in-flight requests drained');
          await closeResources(resources);
          log.info('database and Redis connections closed');
        })();
        return closing;
      },
    };
  } catch (error) {
    await closeResources(resources);
    throw error;
  }
}
