import { LRUCache } from 'lru-cache';

/** A clock in milliseconds that only moves forward (performance.now by default). */
export interface MonotonicClock {
  now(): number;
}

/**
 * The sessions this instance has read as live in the database, trusted for `ttlMs` before the
 * next read. Revocations made through the API never wait for it: logout and refresh-token reuse
 * reach the shared denylist, which every request still consults. Only what changes behind the
 * API's back (a session or user deleted with SQL, a database restored from a backup) can be
 * accepted for up to `ttlMs` by an instance that read it just before. `ttlMs = 0`: a read per
 * request.
 */
export class LiveSessionMemo {
  private readonly live: LRUCache<string, true> | undefined;

  constructor(ttlMs: number, options: { readonly max?: number; readonly clock?: MonotonicClock } = {}) {
    this.live = ttlMs > 0 ? new LRUCache<string, true>({ max: options.max ?? 100_000, ttl: ttlMs, ttlResolution: 0, ...(options.clock ? { perf: options.clock } : {}) }) : undefined;
  }

  /** Runs `read` (which throws when the session is not live) unless `sessionId` of `userId` was found live within the TTL. */
  async check(sessionId: string, userId: string, read: () => Promise<void>): Promise<void> {
    const key = `${sessionId}:${userId}`;
    if (this.live?.get(key) === true) return;
    await read();
    this.live?.set(key, true);
  }
}
