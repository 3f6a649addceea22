import type { CurrencyCode, Direction, LedgerEntry, LedgerFilter, LedgerReader, PageRequest, Slice, TransactionType } from '@banking/domain';
import type { Kysely, Selectable } from 'kysely';
import { isUuid, toSafeInteger, toTimestamp } from '../columns.js';
import type { DatabaseSchema, LedgerEntriesTable } from '../schema.js';

function toEntry(row: Selectable<LedgerEntriesTable>): LedgerEntry {
  return {
    id: row.id,
    accountId: row.account_id,
    sequence: row.sequence,
    type: row.type as TransactionType,
    direction: row.direction as Direction,
    amount: toSafeInteger(row.amount, 'ledger_entries.amount'),
    currency: row.currency as CurrencyCode,
    balanceAfter: toSafeInteger(row.balance_after, 'ledger_entries.balance_after'),
    description: row.description,
    transferId: row.transfer_id,
    counterpartyAccountNumber: row.counterparty_account_number,
    createdAt: toTimestamp(row.created_at),
  };
}

export class PostgresLedgerRepository implements LedgerReader {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async listByAccount(accountId: string, filter: LedgerFilter, page: PageRequest): Promise<Slice<LedgerEntry>> {
    if (!isUuid(accountId)) return { items: [], total: 0 };
    let query = this.db.selectFrom('ledger_entries').where('account_id', '=', accountId);
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('created_at', '<=', filter.to);
    const [rows, { count }] = await Promise.all([
      query
        .selectAll()
        .orderBy('sequence', 'desc')
        .limit(page.pageSize)
        .offset((page.page - 1) * page.pageSize)
        .execute(),
      query.select((eb) => eb.fn.countAll<string | number | bigint>().as('count')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toEntry), total: toSafeInteger(count, 'count') };
  }
}
