import t from 'tap';
import {
  cacheContract,
  clockContract,
  CryptoRandom,
  denylistContract,
  FixedClock,
  idGeneratorContract,
  MemoryCache,
  MemoryDenylist,
  MemoryRateLimitStore,
  MemoryUnitOfWork,
  passwordHasherContract,
  PlainTextHasher,
  randomSourceContract,
  RandomIds,
  rateLimitStoreContract,
  secretDigestContract,
  Sha256Digest,
  storeContract,
} from '@banking/testing';

// Every port's contract suite against the in-memory adapters: each open() is a fresh adapter.
const closed = async (): Promise<void> => {};

t.test('MemoryUnitOfWork honours the store contract', (t) => storeContract(t, async () => ({ uow: new MemoryUnitOfWork(), close: closed })));
t.test('MemoryCache honours the cache contract', (t) => cacheContract(t, async () => ({ cache: new MemoryCache(), close: closed })));
t.test('MemoryDenylist honours the denylist contract', (t) => denylistContract(t, async () => ({ denylist: new MemoryDenylist(), close: closed })));
t.test('MemoryRateLimitStore honours the rate-limit store contract', (t) =>
  rateLimitStoreContract(t, async () => ({ store: new MemoryRateLimitStore(), close: closed })),
);
// PlainTextHasher is a test double (hash = "plain:" + password): no salt, the password shows.
t.test('PlainTextHasher honours the hasher contract, as a fake', (t) => passwordHasherContract(t, new PlainTextHasher(), { fake: true }));
t.test('Sha256Digest honours the digest contract', (t) => secretDigestContract(t, new Sha256Digest()));
t.test('FixedClock honours the clock contract, as a fixed clock', (t) => clockContract(t, new FixedClock(), { fixed: true }));
t.test('RandomIds honours the id contract', (t) => idGeneratorContract(t, new RandomIds()));
t.test('CryptoRandom honours the random-source contract', (t) => randomSourceContract(t, new CryptoRandom()));
