import type { Account, IdempotencyRecord, LedgerEntry, Transfer } from '@banking/domain';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { THEN_COMMIT } from './pipelined-transactions.js';
import type { DatabaseSchema } from './schema.js';

/**
 * The money writes of one unit of work (balance updates, transfers, ledger lines, idempotency
 * records), held until the next statement of the transaction or its COMMIT and then sent as ONE
 * statement of data-modifying CTEs: a transfer's two updates and three inserts cost one round
 * trip instead of four.
 *
 * Nothing is weakened: the writes run in the same transaction, before anything else it sends
 * (the unit of work flushes before every other repository call and before COMMIT), so every
 * read sees them and every constraint (CHECK balance >= 0, unique sequences, foreign keys,
 * checked at the end of the statement) is enforced before the commit. A failing flush rolls the
 * transaction back like a failing single write did. Balance updates write absolute values, so
 * two updates of one account before a flush collapse into the last one with the same result
 * (a CTE may not update a row twice).
 */
const DIVISION_BY_ZERO = '22012';

export class WriteBuffer {
  private readonly accounts = new Map<string, Account>();
  private transfers: Transfer[] = [];
  private lines: LedgerEntry[] = [];
  private records: IdempotencyRecord[] = [];

  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  updateAccount(account: Account): void {
    this.accounts.set(account.id, account);
  }

  insertTransfer(transfer: Transfer): void {
    this.transfers.push(transfer);
  }

  appendLines(entries: readonly LedgerEntry[]): void {
    this.lines.push(...entries);
  }

  saveRecord(record: IdempotencyRecord): void {
    this.records.push(record);
  }

  /** Whether writes are held (they need a transaction: the unit of work begins one first). */
  get pending(): boolean {
    return this.accounts.size + this.transfers.length + this.lines.length + this.records.length > 0;
  }

  /**
   * Sends the held writes (if any) in one statement. With `thenCommit` the statement is marked
   * for the driver to send COMMIT right behind it; returns whether it did (the transaction is over).
   */
  async flush(options: { readonly thenCommit?: boolean } = {}): Promise<boolean> {
    const accounts = [...this.accounts.values()];
    const { transfers, lines, records } = this;
    if (accounts.length + transfers.length + lines.length + records.length === 0) return false;
    this.accounts.clear();
    this.transfers = [];
    this.lines = [];
    this.records = [];

    const ctes: RawBuilder<unknown>[] = [];
    if (accounts.length > 0) {
      const rows = accounts.map(
        (a) => sql`(${a.id}::uuid, ${a.balance}::bigint, ${a.status}::varchar, ${a.version}::integer, ${a.updatedAt}::timestamptz)`,
      );
      ctes.push(sql`updated_accounts as (
        update accounts as a
        set balance = v.balance, status = v.status, version = v.version, updated_at = v.updated_at
        from (values ${sql.join(rows)}) as v (id, balance, status, version, updated_at)
        where a.id = v.id
        returning a.id
      )`);
    }
    if (transfers.length > 0) {
      const rows = transfers.map(
        (t) =>
          sql`(${t.id}::uuid, ${t.fromAccountId}::uuid, ${t.toAccountId}::uuid, ${t.fromAccountNumber}, ${t.toAccountNumber}, ${t.amount}::bigint, ${t.currency}, ${t.description}::varchar, ${t.fromBalanceAfter}::bigint, ${t.createdAt}::timestamptz)`,
      );
      ctes.push(sql`inserted_transfers as (
        insert into transfers (id, from_account_id, to_account_id, from_account_number, to_account_number, amount, currency, description, from_balance_after, created_at)
        values ${sql.join(rows)}
      )`);
    }
    if (lines.length > 0) {
      const rows = lines.map(
        (e) =>
          sql`(${e.id}::uuid, ${e.accountId}::uuid, ${e.sequence}::integer, ${e.type}, ${e.direction}, ${e.amount}::bigint, ${e.balanceAfter}::bigint, ${e.currency}, ${e.description}::varchar, ${e.transferId}::uuid, ${e.counterpartyAccountNumber}::char(12), ${e.createdAt}::timestamptz)`,
      );
      ctes.push(sql`inserted_lines as (
        insert into ledger_entries (id, account_id, sequence, type, direction, amount, balance_after, currency, description, transfer_id, counterparty_account_number, created_at)
        values ${sql.join(rows)}
      )`);
    }
    records.forEach((r, i) => {
      // Sent as text and cast, so that both drivers store exactly this JSON (pg would turn a
      // top-level array into a Postgres array). One statement per record: ON CONFLICT may not
      // touch a row twice, and a unit of work saves one record anyway.
      ctes.push(sql`${sql.raw(`saved_record_${i}`)} as (
        insert into idempotency_records (user_id, key, fingerprint, outcome, created_at, expires_at)
        values (${r.userId}::uuid, ${r.key}, ${r.fingerprint}, cast(${JSON.stringify(r.outcome)}::text as json), ${r.createdAt}::timestamptz, ${r.expiresAt}::timestamptz)
        -- Replaces an expired record under the same key; a live one is never overwritten because
        -- the caller holds the claim and found none.
        on conflict (user_id, key) do update
        set fingerprint = excluded.fingerprint, outcome = excluded.outcome, created_at = excluded.created_at, expires_at = excluded.expires_at
      )`);
    });
    // Every held balance update must have found its account. Checked by the statement itself
    // (a division by zero otherwise), so that it fails, and the transaction with it, before a
    // COMMIT sent behind it could run.
    const checked =
      accounts.length > 0
        ? sql`(select count(*) from updated_accounts) / ((select count(*) from updated_accounts) = ${accounts.length})::int`
        : sql`1`;
    const prefix = options.thenCommit ? sql.raw(THEN_COMMIT) : sql``;
    try {
      await sql`${prefix}with ${sql.join(ctes)} select ${checked} as checked`.execute(this.db);
    } catch (error) {
      if ((error as { code?: unknown }).code === DIVISION_BY_ZERO) {
        throw new Error(`unknown account among ${accounts.map((a) => a.id).join(', ')}: nothing was written`, { cause: error });
      }
      throw error;
    }
    return options.thenCommit === true;
  }
}
