import type { Account, Movement, UnitOfWork, User } from '@banking/domain';
import { anAccount, aUser } from '../../builders.js';

/**
 * A unit of work over a store, and how to release it. The store suite calls `open()` once per
 * subtest and `close()` after it. Every subtest writes rows with fresh ids, emails and account
 * numbers and never assumes an empty store, so a harness may share one database between calls.
 */
export interface StoreHarness {
  readonly uow: UnitOfWork;
  close(): Promise<void>;
}

export type OpenStore = () => Promise<StoreHarness>;

/** Commits a new user. */
export async function givenUser(uow: UnitOfWork, overrides: Partial<User> = {}): Promise<User> {
  const user = aUser(overrides);
  await uow.run((tx) => tx.users.insert(user));
  return user;
}

/** Commits a new account (and its owner, unless `ownerId` is given), without an event. */
export async function givenAccount(uow: UnitOfWork, overrides: Partial<Account> = {}): Promise<Account> {
  const ownerId = overrides.ownerId ?? (await givenUser(uow)).id;
  const account = anAccount({ ...overrides, ownerId });
  await recorded(uow, { openedAccounts: [account] });
  return account;
}

/** Commits a movement alone in its unit of work (`events` default to none: rows as a test wants them). */
export function recorded(uow: UnitOfWork, movement: Omit<Movement, 'events'> & { readonly events?: Movement['events'] }): Promise<void> {
  return uow.run((tx) => tx.movements.record({ events: [], ...movement }));
}
