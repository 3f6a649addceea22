import type { BankingDeps } from '../banking-deps.js';
import { ownersOf } from '../events/domain-event.js';
import type { CommitSubscriber } from '../ports.js';

/** Every cached read about a user's accounts lives in that user's scope. */
export function ownerScope(ownerId: string): string {
  return `user:${ownerId}`;
}

/**
 * After each commit, drops the cached reads of the owners its events name: every change to an
 * account tells an event to the account's owner, so no use case has to remember this. The unit
 * of work awaits it before the use case returns, so a client that got a 2xx reads fresh.
 */
export function invalidateReadCache(deps: Pick<BankingDeps, 'cache'>): CommitSubscriber {
  return (events) => deps.cache.invalidate(ownersOf(events).map(ownerScope));
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
