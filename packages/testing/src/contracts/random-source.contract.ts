import type { RandomSource } from '@banking/domain';
import type { Test } from 'tap';

export async function randomSourceContract(t: Test, random: RandomSource): Promise<void> {
  await t.test('random: digits(n) is n decimal digits, every digit appears', async (t) => {
    for (const n of [1, 6, 12, 20]) t.match(random.digits(n), new RegExp(`^[0-9]{${n}}$`), `digits(${n})`);
    const numbers = Array.from({ length: 200 }, () => random.digits(12));
    t.ok(numbers.every((d) => /^[0-9]{12}$/.test(d)), 'digits(12) is always 12 digits');
    t.equal(new Set(numbers.join('')).size, 10, 'all ten digits occur');
    t.ok(new Set(numbers).size > 190, 'account numbers rarely repeat');
  });

  await t.test('random: secret() is at least 43 URL-safe characters and unique', async (t) => {
    const secrets = Array.from({ length: 200 }, () => random.secret());
    const bad = secrets.filter((s) => !/^[A-Za-z0-9_-]{43,}$/.test(s));
    t.same(bad, [], 'URL-safe, ≥ 43 characters (256 bits in base64url)');
    t.equal(new Set(secrets).size, secrets.length, 'unique');
  });
}
