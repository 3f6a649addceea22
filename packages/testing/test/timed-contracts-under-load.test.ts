import t from 'tap';
import type { Cache, RateLimitStore, TokenDenylist } from '@banking/domain';
import { MemoryCache, MemoryDenylist, MemoryRateLimitStore } from '@banking/adapters-memory';
import { cacheContract, denylistContract, rateLimitStoreContract } from '@banking/testing';

// The contracts that check real-time windows (a 300 ms rate-limit window, a 1 s cache ttl, a
// 300 ms denial) against a correct store that stalls now and then, as a process does on a loaded
// machine: they must still pass (a run too slow to judge is run again), never fail the store.

const closed = (): Promise<void> => Promise.resolve();

/** Delays the first `stalls` calls by `ms` each (a process descheduled for that long). */
function stalling(stalls: number, ms = 400): () => Promise<void> {
  let left = stalls;
  return async () => {
    if (left <= 0) return;
    left--;
    await new Promise((resolve) => setTimeout(resolve, ms));
  };
}

t.test('the rate-limit store contract, on a store whose first hits stall', (t) =>
  rateLimitStoreContract(t, () => {
    const store = new MemoryRateLimitStore();
    const stall = stalling(2);
    const slow: RateLimitStore = {
      async hit(key, windowMs) {
        const hit = store.hit(key, windowMs);
        await stall();
        return hit;
      },
    };
    return Promise.resolve({ store: slow, close: closed });
  }),
);

t.test('the cache contract, on a cache whose first reads stall', (t) =>
  cacheContract(t, () => {
    const cache = new MemoryCache();
    const stall = stalling(3, 1100);
    const slow: Cache = {
      get: async <T>(scope: string, key: string) => {
        const value = await cache.get<T>(scope, key);
        await stall();
        return value;
      },
      put: (...args) => cache.put(...args),
      invalidate: (scopes) => cache.invalidate(scopes),
    };
    return Promise.resolve({ cache: slow, close: closed });
  }),
);

t.test('the denylist contract, on a denylist whose first denials stall', (t) =>
  denylistContract(t, () => {
    const denylist = new MemoryDenylist();
    const stall = stalling(2);
    const slow: TokenDenylist = {
      deny: async (id, until) => {
        await denylist.deny(id, until);
        await stall();
      },
      isDenied: (id) => denylist.isDenied(id),
    };
    return Promise.resolve({ denylist: slow, close: closed });
  }),
);
