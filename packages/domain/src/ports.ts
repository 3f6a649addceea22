import type { Account, AccountStatus, AccountType } from './accounts/account.js';
import type { RefreshToken, Session } from './auth/session.js';
import type { IdempotencyRecord } from './idempotency/idempotency-record.js';
import type { LedgerEntry, TransactionType } from './ledger/ledger-entry.js';
import type { PageRequest, Slice } from './shared/pagination.js';
import type { Timestamp } from './shared/timestamp.js';
import type { Transfer } from './transfers/transfer.js';
import type { User } from './users/user.js';

// ── Unit of work ────────────────────────────────────────────────────────────────────────────

/**
 * Runs `work` in one database transaction: everything it wrote commits together when it
 * resolves, and nothing does when it throws. After a commit, the hooks registered with
 * `tx.afterCommit` run (awaited, in order; a failing hook is reported by the adapter, never
 * thrown). An adapter may re-run `work` on a transient conflict (deadlock, serialisation
 * failure), so `work` must only touch the world through `tx`.
 */
export interface UnitOfWork {
  run<T>(work: (tx: TransactionContext) => Promise<T>): Promise<T>;
}

export interface TransactionContext {
  readonly users: UserRepository;
  readonly accounts: AccountRepository;
  readonly ledger: LedgerRepository;
  readonly transfers: TransferRepository;
  readonly idempotency: IdempotencyRepository;
  readonly sessions: SessionRepository;
  afterCommit(hook: () => Promise<void> | void): void;
}

// ── Repositories (reachable only through a TransactionContext) ─────────────────────────────

export interface UserRepository {
  /** Throws EmailTaken when the (normalised) email exists, even under concurrent inserts. */
  insert(user: User): Promise<void>;
  findById(id: string): Promise<User | undefined>;
  findByEmail(email: string): Promise<User | undefined>;
  /** Locks the user's row until the transaction ends (serialises per-user rules such as the account cap). */
  lock(id: string): Promise<void>;
}

export interface AccountFilter {
  readonly status?: AccountStatus;
  readonly type?: AccountType;
}

export interface AccountRepository {
  insert(account: Account): Promise<void>;
  findById(id: string): Promise<Account | undefined>;
  findByNumber(number: string): Promise<Account | undefined>;
  /**
   * Locks the accounts with these ids, and those with these numbers, until the transaction ends,
   * all in one statement and in ascending id order (so two movements never wait on each other in
   * a cycle), and returns them, each once. Unknown ids and numbers are left out. (Numbers let a
   * transfer lock its destination without a separate lookup first: one round trip fewer.)
   */
  lockMany(ids: readonly string[], numbers?: readonly string[]): Promise<Account[]>;
  /** Accounts of the owner whose status is not CLOSED. */
  countOpenByOwner(ownerId: string): Promise<number>;
  /** The owner's accounts, oldest first (ties by id). */
  listByOwner(ownerId: string, filter: AccountFilter, page: PageRequest): Promise<Slice<Account>>;
  /** Writes balance, status, version and updatedAt of a locked account. */
  update(account: Account): Promise<void>;
}

export interface LedgerFilter {
  readonly type?: TransactionType;
  /** Inclusive bounds on createdAt. */
  readonly from?: Timestamp;
  readonly to?: Timestamp;
}

export interface LedgerRepository {
  append(entries: readonly LedgerEntry[]): Promise<void>;
  /** Newest first: by sequence, descending. */
  listByAccount(accountId: string, filter: LedgerFilter, page: PageRequest): Promise<Slice<LedgerEntry>>;
}

export interface TransferRepository {
  insert(transfer: Transfer): Promise<void>;
  findById(id: string): Promise<Transfer | undefined>;
}

export interface IdempotencyRepository {
  /**
   * Claims (userId, key) until the transaction ends. Returns false, without waiting, when another
   * transaction holds the claim.
   */
  claim(userId: string, key: string): Promise<boolean>;
  /** The record under (userId, key), unless it expired before `now`. */
  find(userId: string, key: string, now: Timestamp): Promise<IdempotencyRecord | undefined>;
  /** Stores the record, replacing an expired one under the same (userId, key). */
  save(record: IdempotencyRecord): Promise<void>;
  /**
   * Deletes at most `limit` records that expired at or before `now` (find no longer returns them)
   * and were created at or before `createdBy`, and returns how many it deleted. A record that
   * another transaction is writing (a key being reused) is skipped, never waited for.
   */
  deleteExpired(now: Timestamp, createdBy: Timestamp, limit: number): Promise<number>;
}

export interface SessionRepository {
  insert(session: Session): Promise<void>;
  findById(id: string): Promise<Session | undefined>;
  /** Marks the session revoked at `at` (kept if already revoked). */
  revoke(id: string, at: Timestamp): Promise<void>;
  insertToken(token: RefreshToken): Promise<void>;
  /** Finds a refresh token by digest and locks it until the transaction ends. */
  lockToken(digest: string): Promise<RefreshToken | undefined>;
  markRotated(digest: string, at: Timestamp): Promise<void>;
  /** Sessions revoked at or after `since` (to rebuild a denylist after a restart). */
  listRevokedSince(since: Timestamp): Promise<Session[]>;
}

// ── Services outside the transaction ───────────────────────────────────────────────────────

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new unique id (a UUID). */
  newId(): string;
}

export interface RandomSource {
  /** `count` uniformly random decimal digits. */
  digits(count: number): string;
  /** An opaque, URL-safe secret with at least 256 bits of entropy. */
  secret(): string;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Whether `password` matches `hash`. With `hash` undefined it spends the same time as a real
   * check and answers false, so an unknown email cannot be told from a wrong password.
   */
  verify(password: string, hash: string | undefined): Promise<boolean>;
}

/** One-way digest of a high-entropy secret (refresh tokens), e.g. SHA-256 in hex. */
export interface SecretDigest {
  digest(secret: string): string;
}

/** Opaque marker of a cache scope's generation, taken by `get` and handed back to `put`. */
export type CacheStamp = string;

export type CacheLookup<T> = { readonly hit: true; readonly value: T } | { readonly hit: false; readonly stamp: CacheStamp };

/**
 * A read cache, partitioned in scopes (e.g. one per user). Never throws: an unreachable cache
 * behaves as a miss, and writes to it are dropped.
 */
export interface Cache {
  get<T>(scope: string, key: string): Promise<CacheLookup<T>>;
  /**
   * Stores a value that was read from the database after `get` returned `stamp`. Dropped when the
   * scope has been invalidated since that `get`, so a slow reader can never put back an old value.
   */
  put(scope: string, key: string, stamp: CacheStamp, value: unknown, ttlSeconds: number): Promise<void>;
  /** Makes every value cached under these scopes unreachable. */
  invalidate(scopes: readonly string[]): Promise<void>;
}

/** Ids (of sessions) whose access tokens are refused until a given time. */
export interface TokenDenylist {
  deny(id: string, until: Timestamp): Promise<void>;
  isDenied(id: string): Promise<boolean>;
}

/** Fixed-window request counters shared by every API instance (the rate limiter's store). */
export interface RateLimitStore {
  /**
   * Counts one hit on `key` in its current window of `windowMs`, opening a new window when
   * none is open, and returns the count so far and the milliseconds until the window closes.
   * Never rejects: an adapter whose shared store is unreachable counts in the process instead.
   */
  hit(key: string, windowMs: number): Promise<RateLimitCount>;
}

export interface RateLimitCount {
  readonly count: number;
  readonly resetInMs: number;
}
