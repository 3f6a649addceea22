import type { CommitSubscriber, DomainEvent, ReadContext, TransactionContext, UnitOfWork } from '@banking/domain';
import type { Kysely } from 'kysely';
import { isConnectionError } from './connection-error.js';
import { DatabaseUnavailable } from './database-unavailable.js';
import { PostgresMovementWriter } from './movement-writer.js';
import { PostgresAccountRepository } from './repositories/account.repository.js';
import { PostgresIdempotencyRepository } from './repositories/idempotency.repository.js';
import { PostgresLedgerRepository } from './repositories/ledger.repository.js';
import { PostgresOutboxReader } from './repositories/outbox.repository.js';
import { PostgresSessionRepository } from './repositories/session.repository.js';
import { PostgresTransferRepository } from './repositories/transfer.repository.js';
import { PostgresUserRepository } from './repositories/user.repository.js';
import type { DatabaseSchema } from './schema.js';
import { SessionConnection } from './session-dialect.js';
import { isTransient } from './transient-error.js';

export interface UnitOfWorkOptions {
  /** Runs of `work` before a transient failure is given up and thrown (default 10). */
  readonly maxAttempts?: number;
  /** Failures of after-commit subscribers are reported here, never thrown. */
  readonly onHookError?: ((error: unknown) => void) | undefined;
}

/**
 * The domain's UnitOfWork on Kysely, over a database opened with the SessionDialect
 * (session-dialect.ts decides when BEGIN and COMMIT are sent; nothing here does).
 *
 * `run`: a READ COMMITTED transaction (the repositories lock what a movement changes, in a fixed
 * order) on one pooled connection. The repositories read and lock; the movement is written by
 * `tx.movements.record`, as one statement sent with the COMMIT. A deadlock or serialisation
 * failure rolls back and re-runs `work` after a short random pause, a bounded number of times.
 * Once committed, the movement's events go to the subscribers, awaited in order.
 *
 * `read`: the same repositories on one pooled connection, without a transaction (each statement
 * sees what was committed when it started, as it would inside one under READ COMMITTED).
 *
 * A lost or refused connection, or a statement timeout, becomes DatabaseUnavailable (503 for the
 * API); such a unit of work is never re-run, since its COMMIT may have happened.
 */
export class PostgresUnitOfWork implements UnitOfWork {
  private readonly maxAttempts: number;
  private readonly onHookError: (error: unknown) => void;
  private readonly subscribers: CommitSubscriber[] = [];
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
        let committed: { readonly value: T; readonly events: readonly DomainEvent[] };
        try {
          committed = await this.db.transaction().execute(async (trx) => {
            const tx = await transactionContext(trx);
            const value = await work(tx);
            return { value, events: tx.movements.events };
          });
        } catch (error) {
          // Never re-run after a lost connection: the COMMIT may have happened.
          if (isConnectionError(error)) throw unavailable(error);
          if (attempt >= this.maxAttempts || !isTransient(error)) throw error;
          await pause(attempt);
          continue;
        }
        if (committed.events.length > 0) await this.publish(committed.events);
        return committed.value;
      }
    } finally {
      this.inFlight--;
    }
  }

  async read<T>(work: (reader: ReadContext) => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await this.db.connection().execute((db) => work(readContext(db)));
    } catch (error) {
      if (isConnectionError(error)) throw unavailable(error);
      throw error;
    } finally {
      this.inFlight--;
    }
  }

  subscribe(subscriber: CommitSubscriber): () => void {
    this.subscribers.push(subscriber);
    return () => {
      const at = this.subscribers.indexOf(subscriber);
      if (at >= 0) this.subscribers.splice(at, 1);
    };
  }

  private async publish(events: readonly DomainEvent[]): Promise<void> {
    for (const subscriber of [...this.subscribers]) {
      try {
        await subscriber(events);
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

type PostgresTransactionContext = TransactionContext & { readonly movements: PostgresMovementWriter };

async function transactionContext(trx: Kysely<DatabaseSchema>): Promise<PostgresTransactionContext> {
  const accounts = new PostgresAccountRepository(trx);
  return {
    users: new PostgresUserRepository(trx),
    accounts,
    ledger: new PostgresLedgerRepository(trx),
    transfers: new PostgresTransferRepository(trx),
    idempotency: new PostgresIdempotencyRepository(trx),
    sessions: new PostgresSessionRepository(trx),
    outbox: new PostgresOutboxReader(trx),
    movements: new PostgresMovementWriter(trx, await SessionConnection.of(trx), accounts.locked),
  };
}

function readContext(db: Kysely<DatabaseSchema>): ReadContext {
  return {
    users: new PostgresUserRepository(db),
    accounts: new PostgresAccountRepository(db),
    ledger: new PostgresLedgerRepository(db),
    transfers: new PostgresTransferRepository(db),
    sessions: new PostgresSessionRepository(db),
    outbox: new PostgresOutboxReader(db),
  };
}

function unavailable(error: unknown): DatabaseUnavailable {
  return new DatabaseUnavailable(`The database is unavailable: ${describe(error)}`, { cause: error });
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
