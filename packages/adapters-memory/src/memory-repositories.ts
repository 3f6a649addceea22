import {
  EmailTaken,
  type Account,
  type AccountFilter,
  type AccountRepository,
  type DomainEvent,
  type IdempotencyRecord,
  type IdempotencyRepository,
  type LedgerEntry,
  type LedgerFilter,
  type LedgerReader,
  type Movement,
  type MovementRecorder,
  type OutboxReader,
  type PageRequest,
  type RefreshToken,
  type Session,
  type SessionRepository,
  type Slice,
  type Timestamp,
  type Transfer,
  type TransferReader,
  type User,
  type UserRepository,
} from '@banking/domain';
import type { MemoryState } from './memory-state.js';
import { promised } from './promised.js';

/**
 * Whether the unit of work may still use the store: once its movement is recorded, nothing may
 * follow (as in PostgreSQL, where the movement is written with the COMMIT).
 */
export class Gate {
  closed = false;
  check(): void {
    if (this.closed) throw new Error('the movement is recorded: nothing may use the store after it in this unit of work');
  }
}

function slice<T>(rows: readonly T[], page: PageRequest): Slice<T> {
  const start = (page.page - 1) * page.pageSize;
  return { items: rows.slice(start, start + page.pageSize), total: rows.length };
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

// Rows are stored and returned as copies, as a database would: callers never share objects with the store.
const copy = <T>(row: T): T => structuredClone(row);

export class MemoryUserRepository implements UserRepository {
  constructor(
    private readonly state: MemoryState,
    private readonly gate: Gate = new Gate(),
  ) {}
  insert(user: User): Promise<void> {
    return promised(() => {
      this.gate.check();
      if ([...this.state.users.values()].some((u) => u.email === user.email)) throw new EmailTaken();
      this.state.users.set(user.id, copy(user));
    });
  }
  findById(id: string): Promise<User | undefined> {
    return promised(() => {
      this.gate.check();
      const user = this.state.users.get(id);
      return user && copy(user);
    });
  }
  findByEmail(email: string): Promise<User | undefined> {
    return promised(() => {
      this.gate.check();
      const user = [...this.state.users.values()].find((u) => u.email === email);
      return user && copy(user);
    });
  }
  lock(): Promise<void> {
    return promised(() => {
      this.gate.check();
      // Units of work are serialised: holding the unit of work is holding every lock.
    });
  }
}

export class MemoryAccountRepository implements AccountRepository {
  /** The ids lockMany returned in this unit of work: the only accounts its movement may update. */
  readonly locked = new Set<string>();
  constructor(
    private readonly state: MemoryState,
    private readonly gate: Gate = new Gate(),
  ) {}
  findById(id: string): Promise<Account | undefined> {
    return promised(() => {
      this.gate.check();
      const account = this.state.accounts.get(id);
      return account && copy(account);
    });
  }
  findByNumber(number: string): Promise<Account | undefined> {
    return promised(() => {
      this.gate.check();
      const account = [...this.state.accounts.values()].find((a) => a.number === number);
      return account && copy(account);
    });
  }
  lockMany(ids: readonly string[], numbers: readonly string[] = []): Promise<Account[]> {
    return promised(() => {
      this.gate.check();
      const rows = [...this.state.accounts.values()].filter((a) => ids.includes(a.id) || numbers.includes(a.number)).sort(byId);
      for (const row of rows) this.locked.add(row.id);
      return rows.map(copy);
    });
  }
  countOpenByOwner(ownerId: string): Promise<number> {
    return promised(() => {
      this.gate.check();
      return [...this.state.accounts.values()].filter((a) => a.ownerId === ownerId && a.status !== 'CLOSED').length;
    });
  }
  listByOwner(ownerId: string, filter: AccountFilter, page: PageRequest): Promise<Slice<Account>> {
    return promised(() => {
      this.gate.check();
      const rows = [...this.state.accounts.values()]
        .filter((a) => a.ownerId === ownerId)
        .filter((a) => filter.status === undefined || a.status === filter.status)
        .filter((a) => filter.type === undefined || a.type === filter.type)
        .sort((a, b) => (a.createdAt === b.createdAt ? byId(a, b) : a.createdAt < b.createdAt ? -1 : 1));
      return slice(rows.map(copy), page);
    });
  }
}

export class MemoryLedgerRepository implements LedgerReader {
  constructor(
    private readonly state: MemoryState,
    private readonly gate: Gate = new Gate(),
  ) {}
  listByAccount(accountId: string, filter: LedgerFilter, page: PageRequest): Promise<Slice<LedgerEntry>> {
    return promised(() => {
      this.gate.check();
      const rows = this.state.ledger
        .filter((e) => e.accountId === accountId)
        .filter((e) => filter.type === undefined || e.type === filter.type)
        .filter((e) => filter.from === undefined || e.createdAt >= filter.from)
        .filter((e) => filter.to === undefined || e.createdAt <= filter.to)
        .sort((a, b) => b.sequence - a.sequence);
      return slice(rows.map(copy), page);
    });
  }
}

export class MemoryTransferRepository implements TransferReader {
  constructor(
    private readonly state: MemoryState,
    private readonly gate: Gate = new Gate(),
  ) {}
  findById(id: string): Promise<Transfer | undefined> {
    return promised(() => {
      this.gate.check();
      const transfer = this.state.transfers.get(id);
      return transfer && copy(transfer);
    });
  }
}

export class MemoryIdempotencyRepository implements IdempotencyRepository {
  constructor(
    private readonly state: MemoryState,
    private readonly gate: Gate = new Gate(),
  ) {}
  claim(): Promise<boolean> {
    return promised(() => {
      this.gate.check();
      // Serialised units of work: nothing else can be running under the same key.
      return true;
    });
  }
  find(userId: string, key: string, now: Timestamp): Promise<IdempotencyRecord | undefined> {
    return promised(() => {
      this.gate.check();
      const record = this.state.idempotency.get(JSON.stringify([userId, key]));
      return record && record.expiresAt > now ? copy(record) : undefined;
    });
  }
  deleteExpired(now: Timestamp, createdBy: Timestamp, limit: number): Promise<number> {
    return promised(() => {
      // Serialised units of work: no record is being written by anyone else.
      let deleted = 0;
      for (const [id, record] of this.state.idempotency) {
        if (deleted >= limit) break;
        if (record.expiresAt <= now && record.createdAt <= createdBy) {
          this.state.idempotency.delete(id);
          deleted++;
        }
      }
      return deleted;
    });
  }
}

export class MemorySessionRepository implements SessionRepository {
  constructor(
    private readonly state: MemoryState,
    private readonly gate: Gate = new Gate(),
  ) {}
  insert(session: Session): Promise<void> {
    return promised(() => {
      this.gate.check();
      this.state.sessions.set(session.id, copy(session));
    });
  }
  findById(id: string): Promise<Session | undefined> {
    return promised(() => {
      this.gate.check();
      const session = this.state.sessions.get(id);
      return session && copy(session);
    });
  }
  revoke(id: string, at: Timestamp): Promise<void> {
    return promised(() => {
      this.gate.check();
      const session = this.state.sessions.get(id);
      if (session && session.revokedAt === null) this.state.sessions.set(id, { ...session, revokedAt: at });
    });
  }
  insertToken(token: RefreshToken): Promise<void> {
    return promised(() => {
      this.gate.check();
      this.state.tokens.set(token.digest, copy(token));
    });
  }
  lockToken(digest: string): Promise<RefreshToken | undefined> {
    return promised(() => {
      this.gate.check();
      const token = this.state.tokens.get(digest);
      return token && copy(token);
    });
  }
  markRotated(digest: string, at: Timestamp): Promise<void> {
    return promised(() => {
      this.gate.check();
      const token = this.state.tokens.get(digest);
      if (token) this.state.tokens.set(digest, { ...token, rotatedAt: at });
    });
  }
  listRevokedSince(since: Timestamp): Promise<Session[]> {
    return promised(() => {
      this.gate.check();
      return [...this.state.sessions.values()].filter((s) => s.revokedAt !== null && s.revokedAt >= since).map(copy);
    });
  }
}

export class MemoryOutboxReader implements OutboxReader {
  constructor(
    private readonly state: MemoryState,
    private readonly gate: Gate = new Gate(),
  ) {}
  listByAccount(accountId: string): Promise<DomainEvent[]> {
    return promised(() => {
      this.gate.check();
      return this.state.outbox.filter((e) => e.accountId === accountId).sort((a, b) => a.sequence - b.sequence).map(copy);
    });
  }
}

/** What a database CHECK (balance >= 0) does: a bug above the store cannot commit a negative balance. */
function assertBalance(account: Account): void {
  if (!Number.isSafeInteger(account.balance) || account.balance < 0) throw new Error(`balance out of range on ${account.id}`);
}

/**
 * Applies a movement to the state with the checks PostgreSQL's constraints make (the unit of
 * work restores its snapshot when anything here throws, as a failed statement rolls back).
 * Typed against every key of Movement: a new kind of change does not compile until it is written.
 */
const WRITERS: { readonly [K in keyof Required<Movement>]: (state: MemoryState, value: NonNullable<Movement[K]>, locked: ReadonlySet<string>) => void } = {
  openedAccounts(state, accounts) {
    for (const account of accounts) {
      assertBalance(account);
      if (state.accounts.has(account.id) || [...state.accounts.values()].some((a) => a.number === account.number)) {
        throw new Error(`duplicate account ${account.id} / ${account.number}`);
      }
      state.accounts.set(account.id, copy(account));
    }
  },
  updatedAccounts(state, accounts, locked) {
    for (const account of accounts) {
      if (!locked.has(account.id)) throw new Error(`account ${account.id} was not locked by this unit of work`);
      assertBalance(account);
      state.accounts.set(account.id, copy(account));
    }
  },
  transfers(state, transfers) {
    for (const transfer of transfers) {
      if (state.transfers.has(transfer.id)) throw new Error(`duplicate transfer ${transfer.id}`);
      state.transfers.set(transfer.id, copy(transfer));
    }
  },
  ledgerLines(state, entries) {
    for (const entry of entries) {
      if (!state.accounts.has(entry.accountId)) throw new Error(`ledger line for unknown account ${entry.accountId}`);
      if (entry.amount <= 0 || entry.balanceAfter < 0) throw new Error('ledger line out of range');
      if (state.ledger.some((e) => e.accountId === entry.accountId && e.sequence === entry.sequence)) {
        throw new Error(`duplicate ledger sequence ${entry.sequence} on ${entry.accountId}`);
      }
      state.ledger.push(copy(entry));
    }
  },
  idempotencyRecord(state, record) {
    state.idempotency.set(JSON.stringify([record.userId, record.key]), copy(record));
  },
  events(state, events) {
    for (const event of events) {
      if (state.outbox.some((e) => e.id === event.id || (e.accountId === event.accountId && e.sequence === event.sequence))) {
        throw new Error(`duplicate event ${event.id} (${event.accountId} #${event.sequence})`);
      }
      state.outbox.push(copy(event));
    }
  },
};

export class MemoryMovementRecorder implements MovementRecorder {
  private recorded = false;
  /** The events recorded, handed to the subscribers after the commit. */
  readonly events: DomainEvent[] = [];
  /** Set when writing the movement failed: the unit of work must not commit, even if `work` caught it. */
  failure: { readonly error: unknown } | undefined;

  constructor(
    private readonly state: MemoryState,
    private readonly accounts: MemoryAccountRepository,
    private readonly gate: Gate,
  ) {}

  record(movement: Movement): Promise<void> {
    return promised(() => {
      if (this.recorded) throw new Error('a unit of work records one movement, last');
      this.gate.check();
      this.recorded = true;
      this.gate.closed = true;
      const updated = (movement.updatedAccounts ?? []).map((a) => a.id);
      if (new Set(updated).size !== updated.length) throw new Error('a movement updates each account once');
      try {
        for (const key of Object.keys(WRITERS) as (keyof Movement)[]) {
          const value = movement[key];
          if (value !== undefined) (WRITERS[key] as (s: MemoryState, v: unknown, l: ReadonlySet<string>) => void)(this.state, value, this.accounts.locked);
        }
      } catch (error) {
        this.failure = { error };
        throw error;
      }
      this.events.push(...movement.events.map(copy));
    });
  }
}
