import type { BankingDeps } from '../banking-deps.js';
import { EmailTaken } from '../errors.js';
import { timestamp } from '../shared/timestamp.js';
import { emailError, fullNameError, normaliseEmail, passwordError, throwIfInvalid, toProfile, type UserProfile } from './user.js';

export interface RegisterUserCommand {
  readonly email: string;
  readonly password: string;
  readonly fullName: string;
}

export class RegisterUser {
  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'clock' | 'ids' | 'hasher'>) {}

  async execute(command: RegisterUserCommand): Promise<UserProfile> {
    const email = normaliseEmail(command.email);
    throwIfInvalid([emailError(email), passwordError(command.password), fullNameError(command.fullName)]);
    const passwordHash = await this.deps.hasher.hash(command.password);
    const user = {
      id: this.deps.ids.newId(),
      email,
      fullName: command.fullName.trim(),
      passwordHash,
      createdAt: timestamp(this.deps.clock.now()),
    };
    await this.deps.uow.run(async (tx) => {
      if (await tx.users.findByEmail(email)) throw new EmailTaken();
      await tx.users.insert(user);
    });
    return toProfile(user);
  }
}
