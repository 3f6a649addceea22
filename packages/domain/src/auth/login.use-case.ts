import type { BankingDeps } from '../banking-deps.js';
import { InvalidCredentials } from '../errors.js';
import { timestamp } from '../shared/timestamp.js';
import { normaliseEmail } from '../users/user.js';
import { issueRefreshToken, type IssuedSession } from './issued-session.js';

export interface LoginCommand {
  readonly email: string;
  readonly password: string;
}

/** Opens a session. A wrong email and a wrong password get the same error after the same work. */
export class Login {
  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'clock' | 'ids' | 'random' | 'hasher' | 'digest' | 'policy'>) {}

  async execute(command: LoginCommand): Promise<IssuedSession> {
    const email = normaliseEmail(command.email);
    const user = await this.deps.uow.read((store) => store.users.findByEmail(email));
    const valid = await this.deps.hasher.verify(command.password, user?.passwordHash);
    if (user === undefined || !valid) throw new InvalidCredentials();
    return this.deps.uow.run(async (tx) => {
      const now = timestamp(this.deps.clock.now());
      const sessionId = this.deps.ids.newId();
      await tx.sessions.insert({ id: sessionId, userId: user.id, createdAt: now, revokedAt: null });
      return issueRefreshToken(this.deps, tx, { userId: user.id, sessionId }, null, now);
    });
  }
}
