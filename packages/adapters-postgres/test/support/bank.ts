import { CryptoRandomSource, MemoryCache, MemoryDenylist, Sha256Digest, UuidIds } from '@banking/adapters-memory';
import { createBanking, DEFAULT_POLICY, type Banking, type UnitOfWork } from '@banking/domain';
import { PlainTextHasher } from '@banking/testing';

/** The whole bank on this adapter's unit of work, the system clock, and in-memory everything else. */
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
