import {
  EmailTaken,
  type Account,
  type AccountFilter,
  type AccountRepository,
  type IdempotencyRecord,
  type IdempotencyRepository,
  type LedgerEntry,
  type LedgerFilter,
  type LedgerRepository,
  type PageRequest,
  type RefreshToken,
  type Session,
  type SessionRepository,
  type Slice,
  type Timestamp,
  type Transfer,
  type TransferRepository,
  type User,
  type UserRepository,
} from '@banking/domain';
import type { MemoryState } from './memory-state.js';

function slice<T>(rows: readonly T[], page: PageRequest): Slice<T> {
  const start = (page.page - 1) * page.pageSize;
  return { items: rows.slice(start, start + page.pageSize), total: rows.length };
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

// Rows are stored and returned as copies, as a database would: callers never share objects with the store.
const copy = <T>(row: T): T => structuredClone(row);

export class MemoryUserRepository implements UserRepository {
  constructor(private readonly state: MemoryState) {}
  async insert(user: User): Promise<void> {
    if ([...this.state.users.values()].some((u) => u.email === user.email)) throw new EmailTaken();
    this.state.users.set(user.id, copy(user));
  }
  async findById(id: string): Promise<User | undefined> {
    const user = this.state.users.get(id);
    return user && copy(user);
  }
  async findByEmail(email: string): Promise<User | undefined> {
    const user = [...this.state.users.values()].find((u) => u.email === email);
    return user && copy(user);
  }
  async lock(_id: string): Promise<void> {
    // Units of work are serialised: holding the unit of work is holding every lock.
  }
}

/** What a database CHECK (balance >= 0) does: a bug above the store cannot commit a negative balance. */
function assertBalance(account: Account): void {
  if (!Number.isSafeInteger(account.balance) || account.balance < 0) throw new Error(`balance out of range on ${account.id}`);
}

export class MemoryAccountRepository implements AccountRepository {
  constructor(private readonly state: MemoryState) {}
  async insert(account: Account): Promise<void> {
    assertBalance(account);
    if (this.state.accounts.has(account.id) || [...this.state.accounts.values()].some((a) => a.number === account.number)) {
      throw new Error(`duplicate account ${account.id} / ${account.number}`);
    }
    this.state.accounts.set(account.id, copy(account));
  }
  async findById(id: string): Promise<Account | undefined> {
    const account = this.state.accounts.get(id);
    return account && copy(account);
  }
  async findByNumber(number: string): Promise<Account | undefined> {
    const account = [...this.state.accounts.values()].find((a) => a.number === number);
    return account && copy(account);
  }
  async lockMany(ids: readonly string[], numbers: readonly string[] = []): Promise<Account[]> {
    return [...this.state.accounts.values()]
      .filter((a) => ids.includes(a.id) || numbers.includes(a.number))
      .sort(byId)
      .map(copy);
  }
  async countOpenByOwner(ownerId: string): Promise<number> {
    return [...this.state.accounts.values()].filter((a) => a.ownerId === ownerId && a.status !== 'CLOSED').length;
  }
  async listByOwner(ownerId: string, filter: AccountFilter, page: PageRequest): Promise<Slice<Account>> {
    const rows = [...this.state.accounts.values()]
      .filter((a) => a.ownerId === ownerId)
      .filter((a) => filter.status === undefined || a.status === filter.status)
      .filter((a) => filter.type === undefined || a.type === filter.type)
      .sort((a, b) => (a.createdAt === b.createdAt ? byId(a, b) : a.createdAt < b.createdAt ? -1 : 1));
    return slice(rows.map(copy), page);
  }
  async update(account: Account): Promise<void> {
    if (!this.state.accounts.has(account.id)) throw new Error(`unknown account ${account.id}`);
    assertBalance(account);
    this.state.accounts.set(account.id, copy(account));
  }
}

export class MemoryLedgerRepository implements LedgerRepository {
  constructor(private readonly state: MemoryState) {}
  async append(entries: readonly LedgerEntry[]): Promise<void> {
    for (const entry of entries) {
      const account = this.state.accounts.get(entry.accountId);
      if (account === undefined) throw new Error(`ledger line for unknown account ${entry.accountId}`);
      if (entry.amount <= 0 || entry.balanceAfter < 0) throw new Error('ledger line out of range');
      if (this.state.ledger.some((e) => e.accountId === entry.accountId && e.sequence === entry.sequence)) {
        throw new Error(`duplicate ledger sequence ${entry.sequence} on ${entry.accountId}`);
      }
      this.state.ledger.push(copy(entry));
    }
  }
  async listByAccount(accountId: string, filter: LedgerFilter, page: PageRequest): Promise<Slice<LedgerEntry>> {
    const rows = this.state.ledger
      .filter((e) => e.accountId === accountId)
      .filter((e) => filter.type === undefined || e.type === filter.type)
      .filter((e) => filter.from === undefined || e.createdAt >= filter.from)
      .filter((e) => filter.to === undefined || e.createdAt <= filter.to)
      .sort((a, b) => b.sequence - a.sequence);
    return slice(rows.map(copy), page);
  }
}

export class MemoryTransferRepository implements TransferRepository {
  constructor(private readonly state: MemoryState) {}
  async insert(transfer: Transfer): Promise<void> {
    this.state.transfers.set(transfer.id, copy(transfer));
  }
  async findById(id: string): Promise<Transfer | undefined> {
    const transfer = this.state.transfers.get(id);
    return transfer && copy(transfer);
  }
}

export class MemoryIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly state: MemoryState) {}
  async claim(_userId: string, _key: string): Promise<boolean> {
    // Serialised units of work: nothing else can be running under the same key.
    return true;
  }
  async find(userId: string, key: string, now: Timestamp): Promise<IdempotencyRecord | undefined> {
    const record = this.state.idempotency.get(JSON.stringify([userId, key]));
    return record && record.expiresAt > now ? copy(record) : undefined;
  }
  async save(record: IdempotencyRecord): Promise<void> {
    this.state.idempotency.set(JSON.stringify([record.userId, record.key]), copy(record));
  }
  async deleteExpired(now: Timestamp, createdBy: Timestamp, limit: number): Promise<number> {
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
  }
}

export class MemorySessionRepository implements SessionRepository {
  constructor(private readonly state: MemoryState) {}
  async insert(session: Session): Promise<void> {
    this.state.sessions.set(session.id, copy(session));
  }
  async findById(id: string): Promise<Session | undefined> {
    const session = this.state.sessions.get(id);
    return session && copy(session);
  }
  async revoke(id: string, at: Timestamp): Promise<void> {
    const session = this.state.sessions.get(id);
    if (session && session.revokedAt === null) this.state.sessions.set(id, { ...session, revokedAt: at });
  }
  async insertToken(token: RefreshToken): Promise<void> {
    this.state.tokens.set(token.digest, copy(token));
  }
  async lockToken(digest: string): Promise<RefreshToken | undefined> {
    const token = this.state.tokens.get(digest);
    return token && copy(token);
  }
  async markRotated(digest: string, at: Timestamp): Promise<void> {
    const token = this.state.tokens.get(digest);
    if (token) this.state.tokens.set(digest, { ...token, rotatedAt: at });
  }
  async listRevokedSince(since: Timestamp): Promise<Session[]> {
    return [...this.state.sessions.values()].filter((s) => s.revokedAt !== null && s.revokedAt >= since).map(copy);
  }
}
