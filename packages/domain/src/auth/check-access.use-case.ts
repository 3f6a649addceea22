import type { BankingDeps } from '../banking-deps.js';
import { TokenRevoked } from '../errors.js';

/** Refuses an access token whose session has ended (logout or refresh-token reuse). */
export class CheckAccess {
  constructor(private readonly deps: Pick<BankingDeps, 'denylist'>) {}

  async execute(sessionId: string): Promise<void> {
    if (await this.deps.denylist.isDenied(sessionId)) throw new TokenRevoked();
  }
}
