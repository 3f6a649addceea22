import type { BankingDeps } from '../banking-deps.js';
import { addSeconds, timestamp } from '../shared/timestamp.js';

export interface LogoutCommand {
  readonly userId: string;
  /** The session named by the access token used to log out. */
  readonly sessionId: string;
  /** Optionally, a refresh token whose session is to end too (only if it is the user's). */
  readonly refreshToken?: string | undefined;
}

/** Ends sessions: their refresh tokens stop working and their access tokens are refused. */
export class Logout {
  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'clock' | 'digest' | 'denylist' | 'policy'>) {}

  async execute(command: LogoutCommand): Promise<void> {
    const now = timestamp(this.deps.clock.now());
    const ended = await this.deps.uow.run(async (tx) => {
      const ids = new Set<string>();
      const session = await tx.sessions.findById(command.sessionId);
      if (session?.userId === command.userId) ids.add(session.id);
      if (command.refreshToken !== undefined) {
        const token = await tx.sessions.lockToken(this.deps.digest.digest(command.refreshToken));
        const other = token && (await tx.sessions.findById(token.sessionId));
        if (other?.userId === command.userId) ids.add(other.id);
      }
      for (const id of ids) await tx.sessions.revoke(id, now);
      return [...ids];
    });
    const until = addSeconds(now, this.deps.policy.accessTokenTtlSeconds);
    await Promise.all(ended.map((id) => this.deps.denylist.deny(id, until)));
  }
}
