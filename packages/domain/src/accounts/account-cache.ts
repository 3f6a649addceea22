import type { BankingDeps } from '../banking-deps.js';

/** Every cached read about a user's accounts lives in that user's scope. */
export function ownerScope(ownerId: string): string {
  return `user:${ownerId}`;
}

/** After a commit, drops the cached reads of the owners of the changed accounts. */
export function invalidateOwners(deps: Pick<BankingDeps, 'cache'>, ownerIds: readonly string[]): () => Promise<void> {
  return () => deps.cache.invalidate([...new Set(ownerIds)].map(ownerScope));
}

/** Cache-aside: the cached value, or `load()` stored under the stamp taken before loading. */
export async function readThrough<T>(
  deps: Pick<BankingDeps, 'cache' | 'policy'>,
  ownerId: string,
  key: string,
  load: () => Promise<T>,
): Promise<T> {
  const scope = ownerScope(ownerId);
  const lookup = await deps.cache.get<T>(scope, key);
  if (lookup.hit) return lookup.value;
  const value = await load();
  await deps.cache.put(scope, key, lookup.stamp, value, deps.policy.cacheTtlSeconds);
  return value;
}
