import { createHash } from 'node:crypto';
import type { SecretDigest } from '@banking/domain';

/**
 * SHA-256 in hex. Enough for refresh tokens: they carry 256 random bits, so a fast digest cannot
 * be brute-forced, unlike a password.
 */
export class Sha256Digest implements SecretDigest {
  digest(secret: string): string {
    return createHash('sha256').update(secret, 'utf8').digest('hex');
  }
}
