import type { CurrencyCode, Transfer, TransferReader } from '@banking/domain';
import type { Kysely, Selectable } from 'kysely';
import { isUuid, toSafeInteger, toTimestamp } from '../columns.js';
import type { DatabaseSchema, TransfersTable } from '../schema.js';

function toTransfer(row: Selectable<TransfersTable>): Transfer {
  return {
    id: row.id,
    fromAccountId: row.from_account_id,
    toAccountId: row.to_account_id,
    fromAccountNumber: row.from_account_number,
    toAccountNumber: row.to_account_number,
    amount: toSafeInteger(row.amount, 'transfers.amount'),
    currency: row.currency as CurrencyCode,
    description: row.description,
    fromBalanceAfter: toSafeInteger(row.from_balance_after, 'transfers.from_balance_after'),
    createdAt: toTimestamp(row.created_at),
  };
}

export class PostgresTransferRepository implements TransferReader {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async findById(id: string): Promise<Transfer | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toTransfer(row);
  }
}
