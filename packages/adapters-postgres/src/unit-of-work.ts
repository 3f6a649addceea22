import type { TransactionContext, UnitOfWork } from '@banking/domain';
import { sql, type Kysely } from 'kysely';
import { PostgresAccountRepository } from './repositories/account.repository.js';
import { PostgresIdempotencyRepository } from './repositories/idempotency.repository.js';
import { PostgresLedgerRepository } from './repositories/ledger.repository.js';
import { PostgresSessionRepository } from './repositories/session.repository.js';
import { PostgresTransferRepository } from './repositories/transfer.repository.js';
import { PostgresUserRepository } from './repositories/user.repository.js';
import { isConnectionError } from './connection-error.js';
import { DatabaseUnavailable } from './database-unavailable.js';
import type { DatabaseSchema } from './schema.js';
import { isTransient } from './transient-error.js';
import { WriteBuffer } from './write-buffer.js';

export interface UnitOfWorkOptions {
  /** Runs of `work` before a transient failure is given up and thrown (default 10). */
  readonly maxAttempts?: number;
  readonly onHookError?: ((error: unknown) => void) | undefined;
  /**
   * The driver sends COMMIT right behind a statement marked THEN_COMMIT (the `pg` client of
   * pipelined-transactions.ts): the last buffered write and COMMIT then cost one round trip.
   */
  readonly commitWithLastWrite?: boolean;
}

type Hook = () => Promise<void> | void;

/**
 * BEGIN … COMMIT around `work` (READ COMMITTED: the repositories lock what they change, in a
 * fixed order), then the after-commit hooks. The money writes wait in a WriteBuffer and reach
 * the database in one statement, before the next statement of `work` and before COMMIT.
 *
 * With `commitWithLastWrite` (the `pg` driver), BEGIN travels with the first statement that
 * locks or writes and COMMIT with the last buffered write (pipelined-transactions.ts).
 *
 * BEGIN is sent just before the first statement that locks or writes: plain reads before it run
 * on the same connection as single statements. Under READ COMMITTED that is the same isolation
 * (each statement of a transaction takes its own snapshot anyway), and a unit of work that only
 * reads (a cache miss, a page of transactions) costs no BEGIN and no COMMIT round trip. A deadlock or serialisation failure rolls back and
 * re-runs `work` after a short random pause, a bounded number of times. A lost or refused
 * connection, or a statement timeout, becomes DatabaseUnavailable (503 for the API).
 */
export class PostgresUnitOfWork implements UnitOfWork {
  private readonly maxAttempts: number;
  private readonly onHookError: (error: unknown) => void;
  private readonly commitWithLastWrite: boolean;
  /** Units of work started and not finished (for the pool figures of an embedded database). */
  inFlight = 0;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: UnitOfWorkOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 10;
    this.onHookError = options.onHookError ?? (() => {});
    this.commitWithLastWrite = options.commitWithLastWrite ?? false;
  }

  async run<T>(work: (tx: TransactionContext) => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      for (let attempt = 1; ; attempt++) {
        const hooks: Hook[] = [];
        let result: T;
        try {
          result = await this.db.connection().execute(async (connection) => {
            const transaction = new LazyTransaction(connection, this.commitWithLastWrite);
            try {
              const value = await work(context(connection, transaction, hooks));
              await transaction.commit();
              return value;
            } catch (error) {
              await transaction.rollback();
              throw error;
            }
          });
        } catch (error) {
          // Never re-run after a lost connection: the COMMIT may have happened.
          if (isConnectionError(error)) throw new DatabaseUnavailable(`The database is unavailable: ${describe(error)}`, { cause: error });
          if (attempt >= this.maxAttempts || !isTransient(error)) throw error;
          await pause(attempt);
          continue;
        }
        await this.runHooks(hooks);
        return result;
      }
    } finally {
      this.inFlight--;
    }
  }

  private async runHooks(hooks: readonly Hook[]): Promise<void> {
    for (const hook of hooks) {
      try {
        await hook();
      } catch (error) {
        try {
          this.onHookError(error);
        } catch {
          // A failing reporter must not turn a committed unit of work into an error.
        }
      }
    }
  }
}

/** Repository methods that only read, without locking: they may run before BEGIN. */
const PLAIN_READS = new Set<string>([
  'findById',
  'findByNumber',
  'findByEmail',
  'listByOwner',
  'listByAccount',
  'countOpenByOwner',
  'find',
  'listRevokedSince',
]);

/** The connection of one unit of work: BEGIN on first need, the buffered writes, COMMIT or ROLLBACK. */
class LazyTransaction {
  readonly writes: WriteBuffer;
  private begun: Promise<unknown> | undefined;
  /** Steps run one after the other, so that a flush is always sent before the statement that asked for it. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly connection: Kysely<DatabaseSchema>,
    private readonly commitWithLastWrite: boolean,
  ) {
    this.writes = new WriteBuffer(connection);
  }

  /** Before a statement: BEGIN if it locks or writes (or writes are held), then the held writes. */
  prepare(locksOrWrites: boolean): Promise<boolean> {
    return this.step(locksOrWrites, false);
  }

  async commit(): Promise<void> {
    const committed = await this.step(false, this.commitWithLastWrite);
    if (this.begun && !committed) await sql`commit`.execute(this.connection);
  }

  /**
   * BEGIN when needed, then the held writes, queued after the previous step; with `thenCommit`
   * COMMIT travels with them. Resolves with whether it committed.
   */
  private step(locksOrWrites: boolean, thenCommit: boolean): Promise<boolean> {
    const step = this.queue.then(async () => {
      if (locksOrWrites || this.writes.pending) await this.begin();
      return this.writes.flush({ thenCommit });
    });
    this.queue = step.catch(() => undefined);
    return step;
  }

  private begin(): Promise<unknown> {
    this.begun ??= sql`begin`.execute(this.connection);
    return this.begun;
  }

  async rollback(): Promise<void> {
    if (!this.begun) return;
    // The error that made us roll back is the one to report; a connection that cannot even roll
    // back is broken and is dropped by the pool.
    await sql`rollback`.execute(this.connection).catch(() => undefined);
  }
}

function context(connection: Kysely<DatabaseSchema>, transaction: LazyTransaction, hooks: Hook[]): TransactionContext {
  const { writes } = transaction;
  const prepared = <T extends object>(repository: T, buffered: readonly (keyof T)[] = []) => preparedFirst(repository, transaction, buffered);
  return {
    users: prepared(new PostgresUserRepository(connection)),
    accounts: prepared(new PostgresAccountRepository(connection, writes), ['update']),
    ledger: prepared(new PostgresLedgerRepository(connection, writes), ['append']),
    transfers: prepared(new PostgresTransferRepository(connection, writes), ['insert']),
    idempotency: prepared(new PostgresIdempotencyRepository(connection, writes), ['save']),
    sessions: prepared(new PostgresSessionRepository(connection)),
    afterCommit: (hook) => void hooks.push(hook),
  };
}

/**
 * `repository` whose every method, except the `buffered` writes, is preceded by BEGIN when it
 * locks or writes (anything not in PLAIN_READS: a method added later begins the transaction by
 * default) and by the buffered writes: whatever a repository reads, locks or writes next is
 * ordered after them, exactly as if each write had been sent on its own.
 */
function preparedFirst<T extends object>(repository: T, transaction: LazyTransaction, buffered: readonly (keyof T)[]): T {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || buffered.includes(property as keyof T)) return value;
      const locksOrWrites = !(typeof property === 'string' && PLAIN_READS.has(property));
      return async (...args: unknown[]) => {
        await transaction.prepare(locksOrWrites);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  return error instanceof Error ? error.message : String(error);
}

/** Exponential backoff with full jitter, capped: 0–4 ms, 0–8 ms, … up to 0–200 ms. */
function pause(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 2 ** (attempt + 1));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
