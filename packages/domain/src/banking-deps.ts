import type {
  Cache,
  Clock,
  IdGenerator,
  PasswordHasher,
  RandomSource,
  SecretDigest,
  TokenDenylist,
  UnitOfWork,
} from './ports.js';

/** The rules a bank sets by configuration. */
export interface BankingPolicy {
  /** Largest amount one movement may carry, in major units of its currency. */
  readonly maxAmount: number;
  /** Accounts that are not closed a user may hold at once. */
  readonly maxOpenAccountsPerUser: number;
  /** Safety-net lifetime of a cached read; invalidation after each commit is what keeps reads fresh. */
  readonly cacheTtlSeconds: number;
  /**
   * How long a recorded Idempotency-Key outcome is replayed and kept: sweepIdempotencyRecords
   * deletes a record once it has expired and is at least this old (the contract: 24 h at least).
   */
  readonly idempotencyTtlSeconds: number;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}

export const DEFAULT_POLICY: BankingPolicy = {
  maxAmount: 1_000_000_000,
  maxOpenAccountsPerUser: 5,
  cacheTtlSeconds: 60,
  idempotencyTtlSeconds: 24 * 60 * 60,
  accessTokenTtlSeconds: 30 * 60,
  refreshTokenTtlSeconds: 7 * 24 * 60 * 60,
};

/** Everything the use cases need from the outside world. */
export interface BankingDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly random: RandomSource;
  readonly hasher: PasswordHasher;
  readonly digest: SecretDigest;
  readonly cache: Cache;
  readonly denylist: TokenDenylist;
  readonly policy: BankingPolicy;
}
