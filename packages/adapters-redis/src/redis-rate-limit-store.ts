import type { RateLimitCount, RateLimitStore } from '@banking/domain';
import { RATE_LIMIT_HIT } from './lua-scripts.js';
import type { RedisConnection } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Fixed windows counted in Redis by one Lua script (INCR, PEXPIRE when the window is new, PTTL),
 * so every instance shares one count. While Redis is down, or when a hit fails, the hit goes to
 * the per-instance fallback store instead (logged once per outage, counted in `fallbacks`).
 */
export class RedisRateLimitStore implements RateLimitStore {
  fallbacks = 0;
  private loggedOutage = -1;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: RedisKeys,
    private readonly fallback: RateLimitStore,
  ) {}

  async hit(key: string, windowMs: number): Promise<RateLimitCount> {
    if (this.connection.isHealthy()) {
      try {
        const reply = await this.connection.eval(RATE_LIMIT_HIT, [this.keys.rateLimit(key)], [String(Math.max(1, Math.round(windowMs)))]);
        const [count, ttl] = Array.isArray(reply) ? reply.map(Number) : [];
        if (count !== undefined && ttl !== undefined && Number.isFinite(count) && Number.isFinite(ttl)) {
          return { count, resetInMs: Math.max(0, ttl) };
        }
      } catch {
        // fall back below
      }
    }
    this.fallbacks++;
    if (this.loggedOutage !== this.connection.outages) {
      this.loggedOutage = this.connection.outages;
      this.connection.log.warn({ fallbacks: this.fallbacks }, 'Rate limits counted per instance while Redis is unavailable');
    }
    return this.fallback.hit(key, windowMs);
  }
}
