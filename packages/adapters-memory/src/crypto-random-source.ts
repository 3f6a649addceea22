import { randomBytes, randomInt } from 'node:crypto';
import type { RandomSource } from '@banking/domain';

/** Digits and secrets from the operating system's CSPRNG. */
export class CryptoRandomSource implements RandomSource {
  digits(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += String(randomInt(10));
    return out;
  }

  /** 256 random bits, base64url (43 characters). */
  secret(): string {
    return randomBytes(32).toString('base64url');
  }
}
