import type { MemoryState } from '@banking/adapters-memory';
import type { Account, BankingDeps, BankingPolicy, IssuedSession, UserProfile } from '@banking/domain';
import { memoryBanking, memoryState, type BankingFixture } from '@banking/testing';

/** Builders over the in-memory bank, so each test states only what it is about. */
export interface Bank extends BankingFixture {
  /** The in-memory database's current contents. */
  state(): MemoryState;
  /** Registers a user and logs them in. */
  customer(name?: string): Promise<Customer>;
}

export interface Customer {
  readonly profile: UserProfile;
  readonly session: IssuedSession;
  readonly id: string;
  /** Opens an account for this customer, optionally funded by a deposit (in major units). */
  account(options?: { type?: string; currency?: string; deposit?: number | string }): Promise<Account>;
}

let counter = 0;

export const PASSWORD = 'correct horse battery';

export type BankOverrides = Omit<Partial<BankingDeps>, 'policy'> & { policy?: Partial<BankingPolicy> };

export function bank(overrides: BankOverrides = {}): Bank {
  // memoryBanking's parameter type intersects `policy` with the full BankingPolicy; it does merge a partial one.
  const fixture = memoryBanking(overrides as Parameters<typeof memoryBanking>[0]);
  const { banking } = fixture;
  const self: Bank = {
    ...fixture,
    state: () => memoryState(fixture),
    async customer(name = `customer${++counter}`) {
      const profile = await banking.registerUser.execute({ email: `${name}@example.com`, password: PASSWORD, fullName: name });
      const session = await banking.login.execute({ email: profile.email, password: PASSWORD });
      return {
        profile,
        session,
        id: profile.id,
        async account(options = {}) {
          const account = await banking.openAccount.execute({
            userId: profile.id,
            type: options.type ?? 'COURANT',
            currency: options.currency,
          });
          if (options.deposit === undefined) return account;
          const { value } = await banking.postTransaction.execute({
            userId: profile.id,
            accountId: account.id,
            type: 'DEPOT',
            amount: options.deposit,
          });
          return { ...account, balance: value.balanceAfter, version: value.sequence, updatedAt: value.createdAt };
        },
      };
    },
  };
  return self;
}

export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
export const NOT_A_UUID = 'not-a-uuid';

/** Counts of what the store holds: a refused operation must leave these unchanged. */
export function footprint(state: MemoryState) {
  return {
    accounts: [...state.accounts.values()].map((a) => `${a.id}:${a.balance}:${a.status}:${a.version}`).sort(),
    ledger: state.ledger.length,
    transfers: state.transfers.size,
  };
}
