import type { CommitSubscriber, DomainEvent, ReadContext, TransactionContext, UnitOfWork } from '@banking/domain';
import {
  Gate,
  MemoryAccountRepository,
  MemoryIdempotencyRepository,
  MemoryLedgerRepository,
  MemoryMovementRecorder,
  MemoryOutboxReader,
  MemorySessionRepository,
  MemoryTransferRepository,
  MemoryUserRepository,
} from './memory-repositories.js';
import { emptyState, type MemoryState } from './memory-state.js';

/**
 * The in-memory database: units of work (and reads) run one at a time, and one that throws leaves
 * the state exactly as it found it (a snapshot is restored, outbox included). After a commit, the
 * events it recorded go to the subscribers, as in the PostgreSQL adapter.
 */
export class MemoryUnitOfWork implements UnitOfWork {
  state: MemoryState = emptyState();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly subscribers: CommitSubscriber[] = [];

  constructor(private readonly onSubscriberError: (error: unknown) => void = () => {}) {}

  async run<T>(work: (tx: TransactionContext) => Promise<T>): Promise<T> {
    const { result, events } = await this.alone(() => this.runAlone(work));
    // Subscribers run once the unit of work has released the store, as after a database COMMIT:
    // a subscriber may itself use the store.
    if (events.length > 0) {
      for (const subscriber of [...this.subscribers]) {
        try {
          await subscriber(events);
        } catch (error) {
          this.onSubscriberError(error);
        }
      }
    }
    return result;
  }

  read<T>(work: (reader: ReadContext) => Promise<T>): Promise<T> {
    // Queued like units of work: one in progress changes the state in place until it commits.
    return this.alone(() => work(readContext(this.state)));
  }

  subscribe(subscriber: CommitSubscriber): () => void {
    this.subscribers.push(subscriber);
    return () => {
      const at = this.subscribers.indexOf(subscriber);
      if (at >= 0) this.subscribers.splice(at, 1);
    };
  }

  private alone<T>(body: () => Promise<T>): Promise<T> {
    const done = this.queue.then(body);
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async runAlone<T>(work: (tx: TransactionContext) => Promise<T>): Promise<{ result: T; events: readonly DomainEvent[] }> {
    const snapshot = structuredClone(this.state);
    const state = this.state;
    const gate = new Gate();
    const accounts = new MemoryAccountRepository(state, gate);
    const movements = new MemoryMovementRecorder(state, accounts, gate);
    const tx: TransactionContext = {
      users: new MemoryUserRepository(state, gate),
      accounts,
      ledger: new MemoryLedgerRepository(state, gate),
      transfers: new MemoryTransferRepository(state, gate),
      idempotency: new MemoryIdempotencyRepository(state, gate),
      sessions: new MemorySessionRepository(state, gate),
      outbox: new MemoryOutboxReader(state, gate),
      movements,
    };
    try {
      const result = await work(tx);
      // A movement that failed half-way never commits, even if `work` caught its error (as a
      // database refuses to commit a transaction whose statement failed).
      if (movements.failure !== undefined) throw movements.failure.error;
      return { result, events: movements.events };
    } catch (error) {
      this.state = snapshot;
      throw error;
    }
  }
}

function readContext(state: MemoryState): ReadContext {
  return {
    users: new MemoryUserRepository(state),
    accounts: new MemoryAccountRepository(state),
    ledger: new MemoryLedgerRepository(state),
    transfers: new MemoryTransferRepository(state),
    sessions: new MemorySessionRepository(state),
    outbox: new MemoryOutboxReader(state),
  };
}
