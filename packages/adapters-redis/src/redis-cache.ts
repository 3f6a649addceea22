import { randomUUID } from 'node:crypto';
import type { Cache, CacheLookup, CacheStamp } from '@banking/domain';
import { CACHE_GET, CACHE_INVALIDATE, CACHE_PUT } from './lua-scripts.js';
import type { RedisConnection } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

/** The stamp of a miss that did not reach Redis: no `put` is ever made with it. */
const UNREACHABLE: CacheStamp = '';
/** Stored for `undefined`, which JSON cannot represent (never a JSON text). */
const UNDEFINED = 'u';

export interface CacheCounters {
  hits: number;
  misses: number;
  errors: number;
}

/**
 * Generational cache-aside on Redis. A stamp is `<epoch>:<generation>`: the global epoch (a
 * random token replaced on every recovery from an outage) and the scope's generation (moved by
 * `invalidate`). Values live under both, so replacing either makes older values unreachable, and
 * `put` writes only while both are still the stamp's (checked in the same Lua script as the SET).
 * Never throws: failures are misses or dropped writes, counted in `errors`.
 */
export class RedisCache implements Cache {
  readonly counters: CacheCounters = { hits: 0, misses: 0, errors: 0 };

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: RedisKeys,
  ) {
    connection.addRecoveryStep(() => this.newEpoch());
  }

  async get<T>(scope: string, key: string): Promise<CacheLookup<T>> {
    if (!this.connection.isHealthy()) return this.unreachable();
    let reply: unknown;
    try {
      reply = await this.connection.eval(CACHE_GET, [this.keys.epoch, this.keys.generation(scope)], [this.keys.valuePrefix(scope), key]);
    } catch {
      return this.unreachable();
    }
    const [epoch, generation, value] = strings(reply);
    if (epoch === '') {
      // The epoch key is gone (evicted or deleted): misses until a new one is set.
      this.counters.errors++;
      this.counters.misses++;
      void this.newEpoch().catch(() => undefined);
      return { hit: false, stamp: UNREACHABLE };
    }
    const stamp = `${epoch}:${generation}`;
    if (value !== '') {
      try {
        const parsed = value === UNDEFINED ? undefined : (JSON.parse(value) as T);
        this.counters.hits++;
        return { hit: true, value: parsed as T };
      } catch {
        this.counters.errors++;
      }
    }
    this.counters.misses++;
    return { hit: false, stamp };
  }

  async put(scope: string, key: string, stamp: CacheStamp, value: unknown, ttlSeconds: number): Promise<void> {
    const split = stamp.lastIndexOf(':');
    if (split <= 0 || !this.connection.isHealthy()) return;
    const epoch = stamp.slice(0, split);
    const generation = stamp.slice(split + 1);
    const ttlMs = Math.max(1, Math.round(ttlSeconds * 1000));
    try {
      const encoded = value === undefined ? UNDEFINED : JSON.stringify(value);
      await this.connection.eval(
        CACHE_PUT,
        [this.keys.epoch, this.keys.generation(scope), this.keys.value(scope, epoch, generation, key)],
        [epoch, generation, encoded, String(ttlMs)],
      );
    } catch {
      this.counters.errors++;
    }
  }

  /**
   * Tried whenever the socket is up, even while the connection is marked down: a write that a
   * transient timeout would otherwise skip is then still ordered before later reads. When it
   * fails, the connection is down, and its recovery replaces the epoch before anything is read
   * from or written to the cache again.
   */
  async invalidate(scopes: readonly string[]): Promise<void> {
    if (scopes.length === 0) return;
    if (!this.connection.isWritable()) {
      this.counters.errors++;
      this.connection.fail(new Error('invalidation skipped while disconnected'));
      return;
    }
    try {
      await this.connection.eval(CACHE_INVALIDATE, scopes.map((scope) => this.keys.generation(scope)), []);
    } catch (error) {
      this.counters.errors++;
      // Even an error reply (e.g. out of memory) must not leave the old values readable.
      this.connection.fail(error);
    }
  }

  private async newEpoch(): Promise<void> {
    await this.connection.send(['SET', this.keys.epoch, randomUUID()]);
  }

  private unreachable<T>(): CacheLookup<T> {
    this.counters.misses++;
    this.counters.errors++;
    return { hit: false, stamp: UNREACHABLE };
  }
}

/** CACHE_GET's reply: three bulk strings or integers, '' for anything missing. */
function strings(reply: unknown): [string, string, string] {
  const items: readonly unknown[] = Array.isArray(reply) ? reply : [];
  const text = (item: unknown) => (typeof item === 'string' || typeof item === 'number' ? String(item) : '');
  return [text(items[0]), text(items[1]), text(items[2])];
}
