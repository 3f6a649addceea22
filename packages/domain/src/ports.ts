import type { Account, AccountStatus, AccountType } from './accounts/account.js';
import type { DomainEvent } from './events/domain-event.js';
import type { RefreshToken, Session } from './auth/session.js';
import type { IdempotencyRecord } from './idempotency/idempotency-record.js';
import type { LedgerEntry, TransactionType } from './ledger/ledger-entry.js';
import type { Movement } from './movements/movement.js';
import type { PageRequest, Slice } from './shared/pagination.js';
import type { Timestamp } from './shared/timestamp.js';
import type { Transfer } from './transfers/transfer.js';
import type { User } from './users/user.js';

// ── Unit of work ────────────────────────────────────────────────────────────────────────────

/**
 * Where the use cases meet the store.
 *
 * `run(work)` runs `work` in one database transaction: everything it wrote commits together
 * when it resolves, and nothing does when it throws. Money and account changes are written by
 * ONE call, `tx.movements.record(movement)`, the last thing `work` does (nothing may touch the
 * store after it); the few other writes (users, sessions) are repository methods. An adapter
 * may re-run `work` on a transient conflict (deadlock, serialisation failure), so `work` must
 * only touch the world through `tx`.
 *
 * `read(work)` runs reads outside any transaction: each one sees what was committed when it
 * started (as every statement does under READ COMMITTED). Nothing there locks or writes.
 *
 * After a commit that recorded events, the unit of work hands them to its subscribers, awaited
 * in order, before `run` resolves (so that, for example, the read cache forgets what they
 * changed before the API answers). A subscriber is best-effort: one that throws is reported by
 * the adapter and never fails `run`; anything that MUST follow a change reads the outbox instead.
 */
export interface UnitOfWork {
  run<T>(work: (tx: TransactionContext) => Promise<T>): Promise<T>;
  read<T>(work: (reader: ReadContext) => Promise<T>): Promise<T>;
  /** Registers a subscriber to committed events; returns what unregisters it. */
  subscribe(subscriber: CommitSubscriber): () => void;
}

/** Called after each commit with the events it recorded (never with an empty list). */
export type CommitSubscriber = (events: readonly DomainEvent[]) => Promise<void> | void;

/** What reads outside a transaction can reach: finders only, no lock, no write. */
export interface ReadContext {
  readonly users: UserReader;
  readonly accounts: AccountReader;
  readonly ledger: LedgerReader;
  readonly transfers: TransferReader;
  readonly sessions: SessionReader;
  readonly outbox: OutboxReader;
}

export interface TransactionContext extends ReadContext {
  readonly users: UserRepository;
  readonly accounts: AccountRepository;
  readonly idempotency: IdempotencyRepository;
  readonly sessions: SessionRepository;
  readonly movements: MovementRecorder;
}

/** The one write of a movement (see `Movement`). */
export interface MovementRecorder {
  /**
   * Writes `movement` in this transaction; it commits with the unit of work. Called at most once
   * per unit of work, last: any store call after it is refused. Throws when an updated account
   * was not locked by this unit of work, or appears twice.
   */
  record(movement: Movement): Promise<void>;
}

// ── Repositories (reachable only through a context) ────────────────────────────────────────

export interface UserReader {
  findById(id: string): Promise<User | undefined>;
  findByEmail(email: string): Promise<User | undefined>;
}

export interface UserRepository extends UserReader {
  /** Throws EmailTaken when the (normalised) email exists, even under concurrent inserts. */
  insert(user: User): Promise<void>;
  /** Locks the user's row until the transaction ends (serialises per-user rules such as the account cap). */
  lock(id: string): Promise<void>;
}

export interface AccountFilter {
  readonly status?: AccountStatus;
  readonly type?: AccountType;
}

export interface AccountReader {
  findById(id: string): Promise<Account | undefined>;
  findByNumber(number: string): Promise<Account | undefined>;
  /** Accounts of the owner whose status is not CLOSED. */
  countOpenByOwner(ownerId: string): Promise<number>;
  /** The owner's accounts, oldest first (ties by id). */
  listByOwner(ownerId: string, filter: AccountFilter, page: PageRequest): Promise<Slice<Account>>;
}

export interface AccountRepository extends AccountReader {
  /**
   * Locks the accounts with these ids, and those with these numbers, until the transaction ends,
   * all in one statement and in ascending id order (so two movements never wait on each other in
   * a cycle), and returns them, each once. Unknown ids and numbers are left out. (Numbers let a
   * transfer lock its destination without a separate lookup first: one round trip fewer.)
   * Only accounts locked here may be updated by the unit of work's movement.
   */
  lockMany(ids: readonly string[], numbers?: readonly string[]): Promise<Account[]>;
}

export interface LedgerFilter {
  readonly type?: TransactionType;
  /** Inclusive bounds on createdAt. */
  readonly from?: Timestamp;
  readonly to?: Timestamp;
}

export interface LedgerReader {
  /** Newest first: by sequence, descending. */
  listByAccount(accountId: string, filter: LedgerFilter, page: PageRequest): Promise<Slice<LedgerEntry>>;
}

export interface TransferReader {
  findById(id: string): Promise<Transfer | undefined>;
}

export interface IdempotencyRepository {
  /**
   * Claims (userId, key) until the transaction ends. Returns false, without waiting, when another
   * transaction holds the claim.
   */
  claim(userId: string, key: string): Promise<boolean>;
  /** The record under (userId, key), unless it expired before `now`. (Records are written by movements.) */
  find(userId: string, key: string, now: Timestamp): Promise<IdempotencyRecord | undefined>;
  /**
   * Deletes at most `limit` records that expired at or before `now` (find no longer returns them)
   * and were created at or before `createdBy`, and returns how many it deleted. A record that
   * another transaction is writing (a key being reused) is skipped, never waited for.
   */
  deleteExpired(now: Timestamp, createdBy: Timestamp, limit: number): Promise<number>;
}

export interface SessionReader {
  findById(id: string): Promise<Session | undefined>;
  /** Sessions revoked at or after `since` (to rebuild a denylist after a restart). */
  listRevokedSince(since: Timestamp): Promise<Session[]>;
}

export interface SessionRepository extends SessionReader {
  insert(session: Session): Promise<void>;
  /** Marks the session revoked at `at` (kept if already revoked). */
  revoke(id: string, at: Timestamp): Promise<void>;
  insertToken(token: RefreshToken): Promise<void>;
  /** Finds a refresh token by digest and locks it until the transaction ends. */
  lockToken(digest: string): Promise<RefreshToken | undefined>;
  markRotated(digest: string, at: Timestamp): Promise<void>;
}

/** The outbox as written by movements (for tests, operations, and the relays that deliver it). */
export interface OutboxReader {
  /** The events about one account, in commit order (by sequence); unknown accounts have none. */
  listByAccount(accountId: string): Promise<DomainEvent[]>;
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
