import type { RateLimitCount, RateLimitStore } from '@banking/domain';
import { promised } from './promised.js';

/** Per-process fixed windows. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  hit(key: string, windowMs: number): Promise<RateLimitCount> {
    return promised(() => {
      const now = this.now();
      let window = this.windows.get(key);
      if (window === undefined || window.endsAt <= now) {
        if (this.windows.size > 100_000) this.sweep(now);
        window = { count: 0, endsAt: now + windowMs };
        this.windows.set(key, window);
      }
      window.count++;
      return { count: window.count, resetInMs: window.endsAt - now };
    });
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}
