import type { Account, UnitOfWork, User } from '@banking/domain';
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

/** Commits a new account (and its owner, unless `ownerId` is given). */
export async function givenAccount(uow: UnitOfWork, overrides: Partial<Account> = {}): Promise<Account> {
  const ownerId = overrides.ownerId ?? (await givenUser(uow)).id;
  const account = anAccount({ ...overrides, ownerId });
  await uow.run((tx) => tx.accounts.insert(account));
  return account;
}
