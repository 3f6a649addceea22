import type { IdempotencyRecord, IdempotencyRepository, RecordedOutcome, Timestamp } from '@banking/domain';
import { sql, type Kysely } from 'kysely';
import { fromJson, isUuid, toSafeInteger, toTimestamp } from '../columns.js';
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

  async deleteExpired(now: Timestamp, createdBy: Timestamp, limit: number): Promise<number> {
    const result = await expiredRecordsDeletion(this.db, now, createdBy, limit).executeTakeFirst();
    return toSafeInteger(result.numDeletedRows, 'deleted idempotency_records');
  }
}

/**
 * One bounded DELETE of rows that the same statement locked with SKIP LOCKED: a row that a
 * movement is rewriting (a key reused after it expired) is skipped, never waited for, and two
 * sweeps running at once each take rows the other has not locked, so a row is deleted once and
 * neither waits.
 *
 * The shape is chosen for the plan PostgreSQL keeps for a prepared statement, where the LIMIT is
 * a parameter: the rows are picked oldest expiry first through idempotency_records_expires_idx,
 * then deleted by `ctid = any(array(…))`, a TID scan. Matching them back by primary key with
 * `in (…)` planned, once generic, a hash join over a sequential scan of the whole table. A row
 * rewritten since the statement began is either left out by the lock's recheck (it is no longer
 * expired) or not seen by the TID scan: it stays.
 */
export function expiredRecordsDeletion(db: Kysely<DatabaseSchema>, now: Timestamp, createdBy: Timestamp, limit: number) {
  const expired = db
    .selectFrom('idempotency_records')
    .select(sql<string>`ctid`.as('ctid'))
    .where('expires_at', '<=', now)
    .where('created_at', '<=', createdBy)
    .orderBy('expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  return db.deleteFrom('idempotency_records').where(sql<boolean>`ctid = any(array(${expired}))`);
}
