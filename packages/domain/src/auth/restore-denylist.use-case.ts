import type { BankingDeps } from '../banking-deps.js';
import { addSeconds, timestamp } from '../shared/timestamp.js';

/**
 * Re-denies the sessions revoked recently enough for their access tokens to be still unexpired,
 * from the database: run at start-up, so a restart (or a lost denylist) never revives a token.
 */
export class RestoreDenylist {
  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'clock' | 'denylist' | 'policy'>) {}

  async execute(): Promise<number> {
    const ttl = this.deps.policy.accessTokenTtlSeconds;
    const since = addSeconds(timestamp(this.deps.clock.now()), -ttl);
    const sessions = await this.deps.uow.read((store) => store.sessions.listRevokedSince(since));
    await Promise.all(sessions.map((s) => this.deps.denylist.deny(s.id, addSeconds(s.revokedAt ?? since, ttl))));
    return sessions.length;
  }
}
