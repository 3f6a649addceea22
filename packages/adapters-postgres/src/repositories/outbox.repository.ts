import type { DomainEvent, OutboxReader } from '@banking/domain';
import type { Kysely, Selectable } from 'kysely';
import { fromJson, isUuid, toTimestamp } from '../columns.js';
import type { DatabaseSchema, OutboxTable } from '../schema.js';

function toEvent(row: Selectable<OutboxTable>): DomainEvent {
  return {
    id: row.id,
    type: row.type,
    version: row.version,
    accountId: row.account_id,
    sequence: row.sequence,
    ownerId: row.owner_id,
    occurredAt: toTimestamp(row.occurred_at),
    payload: fromJson(row.payload),
  } as DomainEvent;
}

export class PostgresOutboxReader implements OutboxReader {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async listByAccount(accountId: string): Promise<DomainEvent[]> {
    if (!isUuid(accountId)) return [];
    const rows = await this.db.selectFrom('outbox').selectAll().where('account_id', '=', accountId).orderBy('sequence').execute();
    return rows.map(toEvent);
  }
}
