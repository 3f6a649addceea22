import type { BankingDeps } from '../banking-deps.js';
import { InvalidRefreshToken, TokenRevoked } from '../errors.js';
import { addSeconds, timestamp } from '../shared/timestamp.js';
import { issueRefreshToken, type IssuedSession } from './issued-session.js';

/**
 * Exchanges a refresh token for a new one (rotation). Presenting a token that was already
 * exchanged revokes its whole session: someone else may hold a copy.
 */
export class RefreshSession {
  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'clock' | 'random' | 'digest' | 'denylist' | 'policy'>) {}

  async execute(refreshToken: string): Promise<IssuedSession> {
    const digest = this.deps.digest.digest(refreshToken);
    const outcome = await this.deps.uow.run(async (tx) => {
      const now = timestamp(this.deps.clock.now());
      const token = await tx.sessions.lockToken(digest);
      if (token === undefined || token.expiresAt <= now) return { kind: 'invalid' } as const;
      const session = await tx.sessions.findById(token.sessionId);
      if (session === undefined) return { kind: 'invalid' } as const;
      if (session.revokedAt !== null) return { kind: 'revoked' } as const;
      if (token.rotatedAt !== null) {
        await tx.sessions.revoke(session.id, now);
        return { kind: 'reused', sessionId: session.id, now } as const;
      }
      await tx.sessions.markRotated(digest, now);
      const issued = await issueRefreshToken(this.deps, tx, { userId: session.userId, sessionId: session.id }, digest, now);
      return { kind: 'issued', issued } as const;
    });
    switch (outcome.kind) {
      case 'issued':
        return outcome.issued;
      case 'invalid':
        throw new InvalidRefreshToken();
      case 'reused':
        await this.deps.denylist.deny(outcome.sessionId, addSeconds(outcome.now, this.deps.policy.accessTokenTtlSeconds));
        throw new TokenRevoked();
      case 'revoked':
        throw new TokenRevoked();
    }
  }
}
