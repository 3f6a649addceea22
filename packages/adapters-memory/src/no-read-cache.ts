import type { Cache, CacheLookup } from '@banking/domain';

/** CACHE_TTL_SECONDS=0: every read goes to the database, nothing is stored. */
export class NoReadCache implements Cache {
  get<T>(): Promise<CacheLookup<T>> {
    return Promise.resolve({ hit: false, stamp: 'no-cache' });
  }

  async put(): Promise<void> {}

  async invalidate(): Promise<void> {}
}
