import type { Cache, CacheLookup, CacheStamp } from '@banking/domain';
import type { RecoveryGrace } from './recovery-grace.js';

/** The stamp of a miss made while the cache is bypassed (Redis down or just back): a `put` with it is dropped. */
const BYPASSED: CacheStamp = 'bypassed';

/**
 * The Redis cache, bypassed (every read from PostgreSQL, nothing stored) for a grace after each
 * recovery from an outage.
 *
 * Why: when Redis comes back, the instances recover one by one, each on its own reconnect backoff.
 * One still down cannot invalidate what its writes change (its invalidations fail, and it replaces
 * the cache epoch only when it recovers), while one already recovered would serve and fill the
 * cache: a balance it served could predate a movement the other instance has answered 201. Once
 * every instance has recovered, the last epoch replacement has made everything cached before it
 * unreachable, and the cache is safe again.
 */
export class OutageSafeCache implements Cache {
  /** Reads answered from PostgreSQL because the cache was bypassed after a recovery. */
  bypassed = 0;

  constructor(
    private readonly shared: Cache,
    private readonly grace: RecoveryGrace,
  ) {}

  async get<T>(scope: string, key: string): Promise<CacheLookup<T>> {
    if (this.grace.active()) {
      this.bypassed++;
      return { hit: false, stamp: BYPASSED };
    }
    return this.shared.get<T>(scope, key);
  }

  async put(scope: string, key: string, stamp: CacheStamp, value: unknown, ttlSeconds: number): Promise<void> {
    if (stamp === BYPASSED || this.grace.active()) return;
    await this.shared.put(scope, key, stamp, value, ttlSeconds);
  }

  invalidate(scopes: readonly string[]): Promise<void> {
    return this.shared.invalidate(scopes);
  }
}
