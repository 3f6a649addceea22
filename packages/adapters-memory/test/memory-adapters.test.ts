import {
  cacheContract,
  clockContract,
  denylistContract,
  FixedClock,
  idGeneratorContract,
  passwordHasherContract,
  PlainTextHasher,
  randomSourceContract,
  rateLimitStoreContract,
  secretDigestContract,
  storeContract,
} from '@banking/testing';
import t from 'tap';
import {
  CryptoRandomSource,
  MemoryCache,
  MemoryDenylist,
  MemoryRateLimitStore,
  MemoryUnitOfWork,
  ScryptHasher,
  Sha256Digest,
  SystemClock,
  UuidIds,
} from '../src/index.js';

// Every port's contract suite against the in-memory adapters: each open() is a fresh adapter.
const closed = (): Promise<void> => Promise.resolve();

t.test('MemoryUnitOfWork honours the store contract', (t) => storeContract(t, () => Promise.resolve({ uow: new MemoryUnitOfWork(), close: closed })));
t.test('MemoryCache honours the cache contract', (t) => cacheContract(t, () => Promise.resolve({ cache: new MemoryCache(), close: closed })));
t.test('MemoryDenylist honours the denylist contract', (t) => denylistContract(t, () => Promise.resolve({ denylist: new MemoryDenylist(), close: closed })));
t.test('MemoryRateLimitStore honours the rate-limit store contract', (t) =>
  rateLimitStoreContract(t, () => Promise.resolve({ store: new MemoryRateLimitStore(), close: closed })),
);
// PlainTextHasher is a test double (hash = "plain:" + password): no salt, the password shows.
t.test('PlainTextHasher honours the hasher contract, as a fake', (t) => passwordHasherContract(t, new PlainTextHasher(), { fake: true }));
t.test('FixedClock honours the clock contract, as a fixed clock', (t) => clockContract(t, new FixedClock(), { fixed: true }));

t.test('the node:crypto adapters pass their port contracts', async (t) => {
  await passwordHasherContract(t, new ScryptHasher({ N: 1024, r: 8, p: 1 }));
  await secretDigestContract(t, new Sha256Digest());
  await clockContract(t, new SystemClock());
  await idGeneratorContract(t, new UuidIds());
  await randomSourceContract(t, new CryptoRandomSource());
});

t.test('ScryptHasher', async (t) => {
  const hasher = new ScryptHasher({ N: 1024, r: 8, p: 1 });

  await t.test('stores a self-describing salted hash, never the password', async (t) => {
    const hash = await hasher.hash('password123');
    t.match(hash, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    t.notMatch(hash, /password123/);
  });

  await t.test('verifies hashes made with another cost (the cost is read from the hash)', async (t) => {
    const older = await new ScryptHasher({ N: 2048, r: 8, p: 1 }).hash('correct horse');
    t.equal(await hasher.verify('correct horse', older), true);
    t.equal(await hasher.verify('wrong horse', older), false);
  });

  await t.test('refuses malformed or tampered hashes without throwing', async (t) => {
    const hash = await hasher.hash('password123');
    const parts = hash.split('$');
    parts[5] = Buffer.from('x'.repeat(32)).toString('base64url');
    t.equal(await hasher.verify('password123', parts.join('$')), false);
    t.equal(await hasher.verify('password123', 'plain:password123'), false);
    t.equal(await hasher.verify('password123', 'scrypt$3$8$1$abc$def'), false, 'N not a power of two');
    t.equal(await hasher.verify('password123', `scrypt$${2 ** 30}$8$1$abc$def`), false, 'absurd cost refused, not computed');
  });

  await t.test('an unknown user (no hash) costs a real derivation and is refused', async (t) => {
    const slow = new ScryptHasher({ N: 2 ** 14, r: 8, p: 1 });
    const hash = await slow.hash('password123');
    await slow.verify('warm-up', undefined);
    const time = async (run: () => Promise<boolean>) => {
      const start = process.hrtime.bigint();
      const result = await run();
      return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
    };
    const wrong = await time(() => slow.verify('wrong-password', hash));
    const unknown = await time(() => slow.verify('wrong-password', undefined));
    t.equal(wrong.result, false);
    t.equal(unknown.result, false);
    // Not a timing assertion: both must do the same kind of work, so neither is instant.
    t.ok(unknown.ms > 1 && wrong.ms > 1, `wrong password ${wrong.ms.toFixed(1)} ms, unknown email ${unknown.ms.toFixed(1)} ms`);
  });

  await t.test('refuses a cost that is not a power of two', async (t) => {
    t.throws(() => new ScryptHasher({ N: 1000, r: 8, p: 1 }), RangeError);
  });
});

t.test('CryptoRandomSource', async (t) => {
  const random = new CryptoRandomSource();
  t.match(random.digits(12), /^[0-9]{12}$/);
  t.match(random.secret(), /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url');
});
