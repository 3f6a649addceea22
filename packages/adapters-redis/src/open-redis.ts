import type { Cache, RateLimitStore, TokenDenylist } from '@banking/domain';
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
  readonly log?: RedisLog;
}

export interface RedisStats {
  /** Healthy right now: connected, and recovered from the last failure. */
  readonly connected: boolean;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  /** Cache operations that failed or were bypassed because Redis was unavailable. */
  readonly cacheErrors: number;
  /** Rate-limit hits counted by the per-instance fallback store. */
  readonly rateLimitFallbacks: number;
  /** Recoveries after an outage (not counting the first connection). */
  readonly reconnects: number;
}

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
  const cache = new RedisCache(connection, keys);
  const rateLimitStore = new RedisRateLimitStore(connection, keys, options.fallbackRateLimitStore);
  const denylist = new RedisDenylist(connection, keys);
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
      cacheHits: cache.counters.hits,
      cacheMisses: cache.counters.misses,
      cacheErrors: cache.counters.errors,
      rateLimitFallbacks: rateLimitStore.fallbacks,
      reconnects: connection.reconnects,
    }),
    close: () => connection.close(),
  };
}
