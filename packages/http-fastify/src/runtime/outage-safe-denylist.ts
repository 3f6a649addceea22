import type { Timestamp, TokenDenylist, UnitOfWork } from '@banking/domain';
import type { RecoveryGrace } from './recovery-grace.js';

/** Whether the database has the session revoked (logout or refresh-token reuse, committed before the answer). */
export function sessionRevokedIn(uow: UnitOfWork): (sessionId: string) => Promise<boolean> {
  return async (sessionId) => {
    const session = await uow.read((store) => store.sessions.findById(sessionId));
    return session?.revokedAt != null;
  };
}

/**
 * The shared (Redis) denylist, failing closed for every instance's logouts, not only this one's.
 * The Redis adapter answers from Redis and from this instance's own denials; while Redis is
 * unavailable it cannot know what other instances denied (before the outage, or during it). So
 * while Redis is down, and for a grace after each recovery (until every instance has recovered and
 * written back the denials it made during the outage), a session the shared store does not deny is
 * looked up in the database, where every revocation is committed before its logout answers 204.
 * While Redis is healthy it costs nothing.
 */
export class OutageSafeDenylist implements TokenDenylist {
  constructor(
    private readonly shared: TokenDenylist,
    private readonly grace: RecoveryGrace,
    private readonly revoked: (sessionId: string) => Promise<boolean>,
  ) {}

  deny(id: string, until: Timestamp): Promise<void> {
    return this.shared.deny(id, until);
  }

  async isDenied(id: string): Promise<boolean> {
    const untrusted = this.grace.active();
    if (await this.shared.isDenied(id)) return true;
    // Asked again after the call: Redis may have failed during it (the adapter then answers false).
    if (!untrusted && !this.grace.active()) return false;
    return this.revoked(id);
  }
}
