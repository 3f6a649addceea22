import { createBanking, DEFAULT_POLICY, type Banking, type BankingDeps, type BankingPolicy } from '@banking/domain';
import { MemoryCache } from './memory/memory-cache.js';
import { MemoryDenylist } from './memory/memory-denylist.js';
import { MemoryUnitOfWork } from './memory/memory-unit-of-work.js';
import { CryptoRandom, FixedClock, PlainTextHasher, RandomIds, Sha256Digest } from './memory/test-services.js';

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
    ids: new RandomIds(),
    random: new CryptoRandom(),
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
