import { createBanking, DEFAULT_POLICY, type Banking, type UnitOfWork } from '@banking/domain';
import { CryptoRandom, MemoryCache, MemoryDenylist, PlainTextHasher, RandomIds, Sha256Digest } from '@banking/testing';

/** The whole bank on this adapter's unit of work, the system clock, and in-memory everything else. */
export function bankOn(uow: UnitOfWork): Banking {
  return createBanking({
    uow,
    clock: { now: () => new Date() },
    ids: new RandomIds(),
    random: new CryptoRandom(),
    hasher: new PlainTextHasher(),
    digest: new Sha256Digest(),
    cache: new MemoryCache(),
    denylist: new MemoryDenylist(),
    policy: DEFAULT_POLICY,
  });
}
