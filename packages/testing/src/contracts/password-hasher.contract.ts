import type { PasswordHasher } from '@banking/domain';
import type { Test } from 'tap';

export interface PasswordHasherContractOptions {
  /**
   * A test double such as PlainTextHasher, fast because it does not really hash: its hashes may
   * contain the password and need not be salted. Every production hasher runs without this.
   */
  readonly fake?: boolean;
}

const PASSWORDS = ['password123', 'pässwörd-Ünïcödé', '密码密码密码密码', '🔐🔑 emoji pass', ' spaces around ', 'x'.repeat(128)];

export async function passwordHasherContract(t: Test, hasher: PasswordHasher, options: PasswordHasherContractOptions = {}): Promise<void> {
  const real = !(options.fake ?? false);

  await t.test('hasher: verifies the password it hashed, and only that one', async (t) => {
    for (const password of PASSWORDS) {
      const hash = await hasher.hash(password);
      t.type(hash, 'string');
      t.not(hash, password, 'the hash is not the password');
      if (real && hash.includes(password)) t.fail(`the hash of ${JSON.stringify(password)} contains it`);
      t.equal(await hasher.verify(password, hash), true, `verify ${JSON.stringify(password.slice(0, 20))}`);
      t.equal(await hasher.verify(`${password}!`, hash), false, 'a longer password fails');
      t.equal(await hasher.verify(password.slice(0, -1), hash), false, 'a shorter password fails');
      const otherCase = password.toUpperCase() !== password ? password.toUpperCase() : password.toLowerCase();
      if (otherCase !== password) t.equal(await hasher.verify(otherCase, hash), false, 'case matters');
    }
    t.equal(await hasher.verify('password123', await hasher.hash('password124')), false, 'another password fails');
    // "ä" precomposed vs "a" + combining diaeresis: different code points, different passwords.
    t.equal(await hasher.verify('pässwörd', await hasher.hash('pa\u0308sswo\u0308rd')), false, 'other code points fail');
  });

  await t.test('hasher: verify against no hash is false', async (t) => {
    t.equal(await hasher.verify('password123', undefined), false);
    t.equal(await hasher.verify('', undefined), false);
  });

  if (real) {
    await t.test('hasher: two hashes of one password differ (salted)', async (t) => {
      const [a, b] = await Promise.all([hasher.hash('password123'), hasher.hash('password123')]);
      t.not(a, b);
      t.equal(await hasher.verify('password123', a), true);
      t.equal(await hasher.verify('password123', b), true);
    });
  }
}
