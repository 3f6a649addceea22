import type { Cache, CacheLookup } from '@banking/domain';

/** CACHE_TTL_SECONDS=0: every read goes to the database, nothing is stored. */
export class NoReadCache implements Cache {
  async get<T>(): Promise<CacheLookup<T>> {
    return { hit: false, stamp: 'no-cache' };
  }

  async put(): Promise<void> {}

  async invalidate(): Promise<void> {}
}
