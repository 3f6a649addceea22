import type { Cache, RateLimitStore, TokenDenylist } from '@banking/domain';
import { OutageSafeCache } from './outage-safe-cache.js';
import { OutageSafeDenylist } from './outage-safe-denylist.js';
import { RECOVERY_GRACE_MS, RecoveryGrace } from './recovery-grace.js';
import { RedisCache } from './redis-cache.js';
import { RedisConnection, type RedisLog } from './redis-connection.js';
import { RedisDenylist } from './redis-denylist.js';
import { RedisKeys } from './redis-keys.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';

export interface RedisOptions {
  /** `redis://host:port/db` */
  readonly url: string;
  /** Prefix of every key; default `bank:`. */
  readonly keyPrefix?: string;
  /** How long a command may take before it counts as failed; default 500. */
  readonly commandTimeoutMs?: number;
  /** How long `openRedis` waits for a first connection before starting degraded; default 1000. */
  readonly connectTimeoutMs?: number;
  /** Per-instance store used while Redis is down. */
  readonly fallbackRateLimitStore: RateLimitStore;
  /**
   * Whether the store of record has this session revoked: asked while Redis cannot vouch for the
   * denylist (down, or just recovered), since logouts made meanwhile on other instances are there.
   */
  readonly isSessionRevoked: (sessionId: string) => Promise<boolean>;
  /**
   * How long after a recovery Redis is still not trusted alone (default RECOVERY_GRACE_MS): other
   * instances may not have recovered yet. 0 only where a single instance uses the Redis (tests).
   */
  readonly recoveryGraceMs?: number;
  readonly log?: RedisLog;
}

export interface RedisStats {
  /** Healthy right now: connected, and recovered from the last failure. */
  readonly connected: boolean;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  /** Cache operations that failed or were bypassed because Redis was unavailable. */
  readonly cacheErrors: number;
  /** Reads sent to the store of record because the cache was bypassed after a recovery. */
  readonly cacheBypassed: number;
  /** Rate-limit hits counted by the per-instance fallback store. */
  readonly rateLimitFallbacks: number;
  /** Recoveries after an outage (not counting the first connection). */
  readonly reconnects: number;
}

/**
 * The adapters on one Redis connection, each already safe for an outage: the cache is bypassed
 * and the denylist backed by the store of record while Redis is down and for a grace after it
 * returns; the rate-limit store counts per instance meanwhile. Nothing above them needs to know.
 */
export interface RedisAdapters {
  readonly cache: Cache;
  readonly rateLimitStore: RateLimitStore;
  readonly denylist: TokenDenylist;
  /** Connected (and recovered) right now. */
  isReady(): boolean;
  /** Rejects when Redis does not answer (for `/ready`). */
  ping(): Promise<void>;
  stats(): RedisStats;
  close(): Promise<void>;
}

const silent: RedisLog = { warn: () => undefined, info: () => undefined };

/**
 * Connects to Redis and returns the cache, rate-limit store and denylist on it. Never throws or
 * hangs because Redis is down: after `connectTimeoutMs` it returns degraded adapters and keeps
 * reconnecting in the background. Throws only for a malformed URL.
 */
export async function openRedis(options: RedisOptions): Promise<RedisAdapters> {
  const commandTimeoutMs = options.commandTimeoutMs ?? 500;
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const connection = new RedisConnection({
    url: options.url,
    commandTimeoutMs,
    connectTimeoutMs,
    maxReconnectDelayMs: 2000,
    probeIntervalMs: Math.max(50, Math.min(250, commandTimeoutMs)),
    log: options.log ?? silent,
  });
  const keys = new RedisKeys(options.keyPrefix ?? 'bank:');
  const shared = new RedisCache(connection, keys);
  const health = { isReady: () => connection.isHealthy(), stats: () => ({ reconnects: connection.reconnects }) };
  const grace = new RecoveryGrace(health, options.recoveryGraceMs ?? RECOVERY_GRACE_MS);
  const cache = new OutageSafeCache(shared, grace);
  const rateLimitStore = new RedisRateLimitStore(connection, keys, options.fallbackRateLimitStore);
  const denylist = new OutageSafeDenylist(new RedisDenylist(connection, keys), grace, options.isSessionRevoked);
  connection.start();
  await connection.waitHealthy(connectTimeoutMs);
  return {
    cache,
    rateLimitStore,
    denylist,
    isReady: () => connection.isHealthy(),
    ping: () => connection.ping(),
    stats: () => ({
      connected: connection.isHealthy(),
      cacheHits: shared.counters.hits,
      cacheMisses: shared.counters.misses,
      cacheErrors: shared.counters.errors,
      cacheBypassed: cache.bypassed,
      rateLimitFallbacks: rateLimitStore.fallbacks,
      reconnects: connection.reconnects,
    }),
    close: () => connection.close(),
  };
}
