import type { Cache, CacheLookup, CacheStamp } from '@banking/domain';
import { promised } from './promised.js';

interface Entry {
  readonly value: unknown;
  readonly expiresAt: number;
}

/**
 * In-process cache with a generation per scope: invalidating a scope bumps its generation, and a
 * `put` whose stamp is an older generation is dropped. Bounded: the oldest entries go first.
 */
export class MemoryCache implements Cache {
  private readonly generations = new Map<string, number>();
  private readonly entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get<T>(scope: string, key: string): Promise<CacheLookup<T>> {
    return promised(() => {
      const generation = this.generations.get(scope) ?? 0;
      const entry = this.entries.get(this.entryKey(scope, generation, key));
      if (entry !== undefined && entry.expiresAt > this.now()) {
        this.hits++;
        return { hit: true, value: structuredClone(entry.value) as T };
      }
      this.misses++;
      return { hit: false, stamp: String(generation) };
    });
  }

  put(scope: string, key: string, stamp: CacheStamp, value: unknown, ttlSeconds: number): Promise<void> {
    return promised(() => {
      if (String(this.generations.get(scope) ?? 0) !== stamp) return;
      const entryKey = this.entryKey(scope, Number(stamp), key);
      this.entries.delete(entryKey);
      this.entries.set(entryKey, { value: structuredClone(value), expiresAt: this.now() + ttlSeconds * 1000 });
      for (const oldest of this.entries.keys()) {
        if (this.entries.size <= this.maxEntries) break;
        this.entries.delete(oldest);
      }
    });
  }

  invalidate(scopes: readonly string[]): Promise<void> {
    return promised(() => {
      for (const scope of scopes) {
        const generation = this.generations.get(scope) ?? 0;
        this.generations.set(scope, generation + 1);
        const prefix = `${scope}\u0000${generation}\u0000`;
        for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
      }
    });
  }

  private entryKey(scope: string, generation: number, key: string): string {
    return `${scope}\u0000${generation}\u0000${key}`;
  }
}
