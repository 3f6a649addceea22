import type { IdempotencyRecord, IdempotencyRepository, RecordedOutcome, Timestamp } from '@banking/domain';
import { sql, type Kysely } from 'kysely';
import { fromJson, isUuid, toTimestamp } from '../columns.js';
import type { DatabaseSchema } from '../schema.js';

export class PostgresIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async claim(userId: string, key: string): Promise<boolean> {
    // A transaction-scoped advisory lock on a 64-bit hash of (user, key): taken without waiting,
    // released by COMMIT or ROLLBACK. A hash collision can only make an unrelated request answer
    // "in progress" once, never replay someone else's record (find compares user and key).
    const { rows } = await sql<{ claimed: boolean }>`
      select pg_try_advisory_xact_lock(hashtextextended(${`${userId}\u001f${key}`}::text, 0)) as claimed
    `.execute(this.db);
    return rows[0]?.claimed === true;
  }

  async find(userId: string, key: string, now: Timestamp): Promise<IdempotencyRecord | undefined> {
    if (!isUuid(userId)) return undefined;
    const row = await this.db
      .selectFrom('idempotency_records')
      .selectAll()
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      userId: row.user_id,
      key: row.key,
      fingerprint: row.fingerprint,
      outcome: fromJson(row.outcome) as RecordedOutcome,
      createdAt: toTimestamp(row.created_at),
      expiresAt: toTimestamp(row.expires_at),
    };
  }
}
