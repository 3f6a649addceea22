import type { BankingDeps } from '../banking-deps.js';
import { TokenRevoked } from '../errors.js';

export interface SessionQuery {
  readonly sessionId: string;
  /** The user the access token names: the session must be theirs (unchecked when absent). */
  readonly userId?: string;
}

/**
 * Refuses an access token whose session is not live in the store of record: revoked, or gone
 * (its user deleted), or another user's. The denylist (CheckAccess) answers for revocations made
 * through the API without a database read; this read, one lookup by primary key, also catches what
 * changed behind the API's back.
 */
export class CheckSession {
  constructor(private readonly deps: Pick<BankingDeps, 'uow'>) {}

  async execute(query: SessionQuery): Promise<void> {
    const session = await this.deps.uow.read((store) => store.sessions.findById(query.sessionId));
    const foreign = query.userId !== undefined && session?.userId !== query.userId;
    if (session === undefined || foreign || session.revokedAt !== null) throw new TokenRevoked();
  }
}
