import type { BankingDeps } from '../banking-deps.js';
import { UserNotFound } from '../errors.js';
import { toProfile, type UserProfile } from './user.js';

export class GetProfile {
  constructor(private readonly deps: Pick<BankingDeps, 'uow'>) {}

  async execute(userId: string): Promise<UserProfile> {
    const user = await this.deps.uow.read((store) => store.users.findById(userId));
    if (user === undefined) throw new UserNotFound();
    return toProfile(user);
  }
}
