import { createBanking, DEFAULT_POLICY, type Banking, type BankingDeps, type BankingPolicy, type UnitOfWork } from '@banking/domain';
import { CryptoRandomSource, MemoryCache, MemoryDenylist, MemoryUnitOfWork, Sha256Digest, UuidIds, type MemoryState } from '@banking/adapters-memory';
import { FixedClock, PlainTextHasher } from './test-doubles.js';

export interface BankingFixture {
  readonly banking: Banking;
  readonly deps: BankingDeps;
  readonly clock: FixedClock;
}

/** The whole bank on in-memory adapters, with a fixed clock. Override any dependency. */
export type MemoryBankingOverrides = Partial<Omit<BankingDeps, 'policy' | 'clock'>> & {
  readonly clock?: FixedClock;
  readonly policy?: Partial<BankingPolicy>;
};

export function memoryBanking(overrides: MemoryBankingOverrides = {}): BankingFixture {
  const clock = overrides.clock ?? new FixedClock();
  const deps: BankingDeps = {
    uow: new MemoryUnitOfWork(),
    ids: new UuidIds(),
    random: new CryptoRandomSource(),
    hasher: new PlainTextHasher(),
    digest: new Sha256Digest(),
    cache: new MemoryCache(),
    denylist: new MemoryDenylist(() => clock.now().getTime()),
    ...overrides,
    clock,
    policy: { ...DEFAULT_POLICY, ...overrides.policy },
  };
  return { banking: createBanking(deps), deps, clock };
}

/** The in-memory store's state, for a test that compares it before and after; refuses a fixture on another store. */
export function memoryState(fixture: BankingFixture): MemoryState {
  const { uow } = fixture.deps;
  if (!(uow instanceof MemoryUnitOfWork)) throw new Error('memoryState: this fixture does not run on MemoryUnitOfWork');
  return uow.state;
}

/** The whole bank on a given store (any adapter's unit of work), the system clock, and everything else in memory. */
export function bankOn(uow: UnitOfWork): Banking {
  return createBanking({
    uow,
    clock: { now: () => new Date() },
    ids: new UuidIds(),
    random: new CryptoRandomSource(),
    hasher: new PlainTextHasher(),
    digest: new Sha256Digest(),
    cache: new MemoryCache(),
    denylist: new MemoryDenylist(),
    policy: DEFAULT_POLICY,
  });
}
