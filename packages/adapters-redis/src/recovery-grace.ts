/** What the outage decorators need to know about the Redis connection. */
export interface RedisHealth {
  /** Connected and recovered right now. */
  isReady(): boolean;
  /** Recoveries so far: a change means an outage just ended. */
  stats(): { readonly reconnects: number };
}

/**
 * How long after this instance recovers from a Redis outage the other instances may still be
 * down: each reconnects on its own backoff (capped at 2 s by the adapter), and until it has
 * recovered its writes are not invalidated in Redis and its logouts made during the outage are
 * not written back there.
 */
export const RECOVERY_GRACE_MS = 10_000;

/** Whether Redis is unavailable, or recovered less than `graceMs` ago (seen through its reconnect count). */
export class RecoveryGrace {
  private seenReconnects: number;
  private until = 0;

  constructor(
    private readonly redis: RedisHealth,
    private readonly graceMs = RECOVERY_GRACE_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.seenReconnects = redis.stats().reconnects;
  }

  /** True while Redis cannot be trusted alone: down, or within the grace after a recovery. */
  active(): boolean {
    const reconnects = this.redis.stats().reconnects;
    if (reconnects !== this.seenReconnects) {
      this.seenReconnects = reconnects;
      this.until = this.now() + this.graceMs;
    }
    return !this.redis.isReady() || this.now() < this.until;
  }
}
