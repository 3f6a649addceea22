import type { TransactionContext, UnitOfWork } from '@banking/domain';
import type { Kysely, Transaction } from 'kysely';
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
}

type Hook = () => Promise<void> | void;

/**
 * BEGIN … COMMIT around `work` (READ COMMITTED: the repositories lock what they change, in a
 * fixed order), then the after-commit hooks. The money writes wait in a WriteBuffer and reach
 * the database in one statement, before the next statement of `work` and before COMMIT. A deadlock or serialisation failure rolls back and
 * re-runs `work` after a short random pause, a bounded number of times. A lost or refused
 * connection, or a statement timeout, becomes DatabaseUnavailable (503 for the API).
 */
export class PostgresUnitOfWork implements UnitOfWork {
  private readonly maxAttempts: number;
  private readonly onHookError: (error: unknown) => void;
  /** Units of work started and not finished (for the pool figures of an embedded database). */
  inFlight = 0;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: UnitOfWorkOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 10;
    this.onHookError = options.onHookError ?? (() => {});
  }

  async run<T>(work: (tx: TransactionContext) => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      for (let attempt = 1; ; attempt++) {
        const hooks: Hook[] = [];
        let result: T;
        try {
          result = await this.db.transaction().execute(async (trx) => {
            const writes = new WriteBuffer(trx);
            const value = await work(context(trx, writes, hooks));
            await writes.flush();
            return value;
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

function context(trx: Transaction<DatabaseSchema>, writes: WriteBuffer, hooks: Hook[]): TransactionContext {
  const flushed = <T extends object>(repository: T, buffered: readonly (keyof T)[] = []) => flushFirst(repository, writes, buffered);
  return {
    users: flushed(new PostgresUserRepository(trx)),
    accounts: flushed(new PostgresAccountRepository(trx, writes), ['update']),
    ledger: flushed(new PostgresLedgerRepository(trx, writes), ['append']),
    transfers: flushed(new PostgresTransferRepository(trx, writes), ['insert']),
    idempotency: flushed(new PostgresIdempotencyRepository(trx, writes), ['save']),
    sessions: flushed(new PostgresSessionRepository(trx)),
    afterCommit: (hook) => void hooks.push(hook),
  };
}

/**
 * `repository` whose every method, except the `buffered` writes, first sends the buffered writes:
 * whatever a repository reads, locks or writes next is ordered after them, exactly as if each
 * write had been sent on its own. A method added later is flushed-first by default.
 */
function flushFirst<T extends object>(repository: T, writes: WriteBuffer, buffered: readonly (keyof T)[]): T {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || buffered.includes(property as keyof T)) return value;
      return async (...args: unknown[]) => {
        await writes.flush();
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
