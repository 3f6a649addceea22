import type { Timestamp } from '../shared/timestamp.js';

/**
 * One login: the family of refresh tokens that rotation derives from it. Revoking it ends every
 * token of the family and every access token that names it.
 */
export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Timestamp;
  readonly revokedAt: Timestamp | null;
}

/** A refresh token, stored only as a digest of the opaque secret the client holds. */
export interface RefreshToken {
  readonly digest: string;
  readonly sessionId: string;
  /** Digest of the token this one replaced; null for the first token of a login. */
  readonly parentDigest: string | null;
  readonly issuedAt: Timestamp;
  readonly expiresAt: Timestamp;
  /** When it was exchanged for a new one; presenting it again after that is reuse. */
  readonly rotatedAt: Timestamp | null;
}
