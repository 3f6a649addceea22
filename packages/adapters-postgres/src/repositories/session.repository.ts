import type { RefreshToken, Session, SessionRepository, Timestamp } from '@banking/domain';
import type { Kysely, Selectable } from 'kysely';
import { isUuid, toNullableTimestamp, toTimestamp } from '../columns.js';
import type { DatabaseSchema, RefreshTokensTable, SessionsTable } from '../schema.js';

function toSession(row: Selectable<SessionsTable>): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: toTimestamp(row.created_at),
    revokedAt: toNullableTimestamp(row.revoked_at),
  };
}

function toToken(row: Selectable<RefreshTokensTable>): RefreshToken {
  return {
    digest: row.digest,
    sessionId: row.session_id,
    parentDigest: row.parent_digest,
    issuedAt: toTimestamp(row.issued_at),
    expiresAt: toTimestamp(row.expires_at),
    rotatedAt: toNullableTimestamp(row.rotated_at),
  };
}

export class PostgresSessionRepository implements SessionRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(session: Session): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ id: session.id, user_id: session.userId, created_at: session.createdAt, revoked_at: session.revokedAt })
      .execute();
  }

  async findById(id: string): Promise<Session | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSession(row);
  }

  async revoke(id: string, at: Timestamp): Promise<void> {
    if (!isUuid(id)) return;
    await this.db.updateTable('sessions').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  async insertToken(token: RefreshToken): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values({
        digest: token.digest,
        session_id: token.sessionId,
        parent_digest: token.parentDigest,
        issued_at: token.issuedAt,
        expires_at: token.expiresAt,
        rotated_at: token.rotatedAt,
      })
      .execute();
  }

  async lockToken(digest: string): Promise<RefreshToken | undefined> {
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('digest', '=', digest).forUpdate().executeTakeFirst();
    return row && toToken(row);
  }

  async markRotated(digest: string, at: Timestamp): Promise<void> {
    await this.db.updateTable('refresh_tokens').set({ rotated_at: at }).where('digest', '=', digest).execute();
  }

  async listRevokedSince(since: Timestamp): Promise<Session[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('revoked_at', '>=', since)
      .orderBy('revoked_at')
      .orderBy('id')
      .execute();
    return rows.map(toSession);
  }
}
