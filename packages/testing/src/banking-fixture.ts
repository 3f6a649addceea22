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
export function memoryBanking(overrides: Partial<BankingDeps> & { policy?: Partial<BankingPolicy> } = {}): BankingFixture {
  const clock = new FixedClock();
  const deps: BankingDeps = {
    uow: new MemoryUnitOfWork(),
    clock,
    ids: new RandomIds(),
    random: new CryptoRandom(),
    hasher: new PlainTextHasher(),
    digest: new Sha256Digest(),
    cache: new MemoryCache(),
    denylist: new MemoryDenylist(() => clock.now().getTime()),
    ...overrides,
    policy: { ...DEFAULT_POLICY, ...overrides.policy },
  };
  return { banking: createBanking(deps), deps, clock };
}
