import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '@banking/domain';

export interface ScryptCost {
  /** CPU/memory cost, a power of two (2^15 by default, OWASP's minimum for scrypt with r=8). */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function derive(password: string, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r * cost.p + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * Salted scrypt (node:crypto, off the event loop), stored as `scrypt$N$r$p$salt$hash` (base64url)
 * so that a later change of cost still verifies the hashes made before it.
 */
export class ScryptHasher implements PasswordHasher {
  /** A hash of a random password, made once, that an unknown email is checked against. */
  private readonly dummy: Promise<string>;

  constructor(private readonly cost: ScryptCost = DEFAULT_SCRYPT_COST) {
    if (!Number.isInteger(Math.log2(cost.N)) || cost.N < 2) throw new RangeError('scrypt N must be a power of two');
    this.dummy = this.hash(randomBytes(16).toString('hex'));
    this.dummy.catch(() => undefined);
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH);
    const key = await derive(password, salt, this.cost, KEY_LENGTH);
    const { N, r, p } = this.cost;
    return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    // An unknown user still costs one full derivation, against a hash made with our own cost.
    const stored = hash ?? (await this.dummy);
    const match = FORMAT.exec(stored);
    if (match === null) return false;
    const [, n, r, p, salt, expected] = match as unknown as [string, string, string, string, string, string];
    const cost = { N: Number(n), r: Number(r), p: Number(p) };
    if (!Number.isInteger(Math.log2(cost.N)) || cost.N > 2 ** 20 || cost.r > 32 || cost.p > 16) return false;
    const wanted = Buffer.from(expected, 'base64url');
    if (wanted.length === 0) return false;
    const key = await derive(password, Buffer.from(salt, 'base64url'), cost, wanted.length);
    return timingSafeEqual(key, wanted) && hash !== undefined;
  }
}
