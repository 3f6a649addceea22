import type { BankingDeps } from '../banking-deps.js';
import type { TransactionContext } from '../ports.js';
import { addSeconds, type Timestamp } from '../shared/timestamp.js';

/** What a login or a refresh hands out; the HTTP adapter signs the access token from it. */
export interface IssuedSession {
  readonly userId: string;
  readonly sessionId: string;
  /** The opaque refresh token: shown to the client once, stored only as a digest. */
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: Timestamp;
}

export async function issueRefreshToken(
  deps: Pick<BankingDeps, 'random' | 'digest' | 'policy'>,
  tx: TransactionContext,
  session: { readonly userId: string; readonly sessionId: string },
  parentDigest: string | null,
  now: Timestamp,
): Promise<IssuedSession> {
  const refreshToken = deps.random.secret();
  const expiresAt = addSeconds(now, deps.policy.refreshTokenTtlSeconds);
  await tx.sessions.insertToken({
    digest: deps.digest.digest(refreshToken),
    sessionId: session.sessionId,
    parentDigest,
    issuedAt: now,
    expiresAt,
    rotatedAt: null,
  });
  return { ...session, refreshToken, refreshTokenExpiresAt: expiresAt };
}
