import type { Account, AccountFilter, AccountRepository, AccountStatus, AccountType, CurrencyCode, PageRequest, Slice } from '@banking/domain';
import type { Kysely, Selectable } from 'kysely';
import { isAccountNumber, isUuid, toSafeInteger, toTimestamp } from '../columns.js';
import type { AccountsTable, DatabaseSchema } from '../schema.js';

function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    id: row.id,
    number: row.number,
    ownerId: row.owner_id,
    type: row.type as AccountType,
    currency: row.currency as CurrencyCode,
    balance: toSafeInteger(row.balance, 'accounts.balance'),
    status: row.status as AccountStatus,
    version: row.version,
    createdAt: toTimestamp(row.created_at),
    updatedAt: toTimestamp(row.updated_at),
  };
}

export class PostgresAccountRepository implements AccountRepository {
  /** The ids lockMany returned in this unit of work: the only accounts its movement may update. */
  readonly locked = new Set<string>();

  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async findById(id: string): Promise<Account | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAccount(row);
  }

  async findByNumber(number: string): Promise<Account | undefined> {
    if (!isAccountNumber(number)) return undefined;
    const row = await this.db.selectFrom('accounts').selectAll().where('number', '=', number).executeTakeFirst();
    return row && toAccount(row);
  }

  async lockMany(ids: readonly string[], numbers: readonly string[] = []): Promise<Account[]> {
    const wantedIds = [...new Set(ids)].filter(isUuid);
    const wantedNumbers = [...new Set(numbers)].filter(isAccountNumber);
    if (wantedIds.length + wantedNumbers.length === 0) return [];
    // One statement, rows locked in ascending id order (the sort runs below the row locks): two
    // movements over the same accounts always queue in the same order, so they can never wait on
    // each other in a cycle. A row matched by both its id and its number comes back once.
    const rows = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where((eb) =>
        eb.or([
          ...(wantedIds.length > 0 ? [eb('id', 'in', wantedIds)] : []),
          ...(wantedNumbers.length > 0 ? [eb('number', 'in', wantedNumbers)] : []),
        ]),
      )
      .orderBy('id')
      .forUpdate()
      .execute();
    for (const row of rows) this.locked.add(row.id);
    return rows.map(toAccount);
  }

  async countOpenByOwner(ownerId: string): Promise<number> {
    if (!isUuid(ownerId)) return 0;
    const { count } = await this.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<string | number | bigint>().as('count'))
      .where('owner_id', '=', ownerId)
      .where('status', '<>', 'CLOSED')
      .executeTakeFirstOrThrow();
    return toSafeInteger(count, 'count');
  }

  async listByOwner(ownerId: string, filter: AccountFilter, page: PageRequest): Promise<Slice<Account>> {
    if (!isUuid(ownerId)) return { items: [], total: 0 };
    let query = this.db.selectFrom('accounts').where('owner_id', '=', ownerId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    const [rows, { count }] = await Promise.all([
      query
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(page.pageSize)
        .offset((page.page - 1) * page.pageSize)
        .execute(),
      query.select((eb) => eb.fn.countAll<string | number | bigint>().as('count')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toAccount), total: toSafeInteger(count, 'count') };
  }
}
