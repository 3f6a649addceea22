import { randomBytes } from 'node:crypto';
import type { SecretDigest } from '@banking/domain';
import type { Test } from 'tap';

export async function secretDigestContract(t: Test, digest: SecretDigest): Promise<void> {
  await t.test('digest: deterministic, distinct for distinct secrets, never contains the secret', async (t) => {
    const secrets = Array.from({ length: 50 }, () => randomBytes(32).toString('base64url'));
    secrets.push('short', 'shorT', 'é', '🔐');
    const digests = secrets.map((s) => digest.digest(s));
    t.same(secrets.map((s) => digest.digest(s)), digests, 'the same secret gives the same digest');
    t.equal(new Set(digests).size, secrets.length, 'distinct secrets give distinct digests');
    secrets.forEach((secret, i) => {
      const d = digests[i] ?? '';
      if (d.length === 0 || d.includes(secret)) t.fail(`digest of ${JSON.stringify(secret)} is empty or contains it`);
    });
    t.pass('no digest is empty or contains its secret');
  });
}
