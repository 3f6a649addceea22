import type { TransactionContext, UnitOfWork } from '@banking/domain';
import {
  MemoryAccountRepository,
  MemoryIdempotencyRepository,
  MemoryLedgerRepository,
  MemorySessionRepository,
  MemoryTransferRepository,
  MemoryUserRepository,
} from './memory-repositories.js';
import { emptyState, type MemoryState } from './memory-state.js';

/**
 * The in-memory database: units of work run one at a time, and one that throws leaves the state
 * exactly as it found it (a snapshot is restored).
 */
export class MemoryUnitOfWork implements UnitOfWork {
  state: MemoryState = emptyState();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly onHookError: (error: unknown) => void = () => {}) {}

  async run<T>(work: (tx: TransactionContext) => Promise<T>): Promise<T> {
    const committed = this.queue.then(() => this.runAlone(work));
    this.queue = committed.catch(() => undefined);
    // Hooks run once the unit of work has released the store, as after a database COMMIT: a hook
    // may itself run a unit of work.
    const { result, hooks } = await committed;
    for (const hook of hooks) {
      try {
        await hook();
      } catch (error) {
        this.onHookError(error);
      }
    }
    return result;
  }

  private async runAlone<T>(work: (tx: TransactionContext) => Promise<T>): Promise<{ result: T; hooks: readonly (() => Promise<void> | void)[] }> {
    const snapshot = structuredClone(this.state);
    const hooks: (() => Promise<void> | void)[] = [];
    const state = this.state;
    const tx: TransactionContext = {
      users: new MemoryUserRepository(state),
      accounts: new MemoryAccountRepository(state),
      ledger: new MemoryLedgerRepository(state),
      transfers: new MemoryTransferRepository(state),
      idempotency: new MemoryIdempotencyRepository(state),
      sessions: new MemorySessionRepository(state),
      afterCommit: (hook) => void hooks.push(hook),
    };
    let result: T;
    try {
      result = await work(tx);
    } catch (error) {
      this.state = snapshot;
      throw error;
    }
    return { result, hooks };
  }
}
