import { EmailTaken, type User, type UserRepository } from '@banking/domain';
import type { Kysely, Selectable } from 'kysely';
import { isUuid, toTimestamp } from '../columns.js';
import type { DatabaseSchema, UsersTable } from '../schema.js';

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    fullName: row.full_name,
    passwordHash: row.password_hash,
    createdAt: toTimestamp(row.created_at),
  };
}

export class PostgresUserRepository implements UserRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(user: User): Promise<void> {
    // ON CONFLICT DO NOTHING waits for a concurrent insert of the same email to commit or roll
    // back, then inserts nothing if it committed: the loser learns it without aborting its
    // transaction on a unique violation.
    const inserted = await this.db
      .insertInto('users')
      .values({
        id: user.id,
        email: user.email,
        full_name: user.fullName,
        password_hash: user.passwordHash,
        created_at: user.createdAt,
      })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted === undefined) throw new EmailTaken();
  }

  async findById(id: string): Promise<User | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    // PostgreSQL text cannot hold U+0000, so no stored email has one (and sending it is an error).
    if (email.includes('\u0000')) return undefined;
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row && toUser(row);
  }

  async lock(id: string): Promise<void> {
    if (!isUuid(id)) return;
    // NO KEY UPDATE serialises per-user rules (the account cap) exactly like FOR UPDATE, without
    // blocking the KEY SHARE locks that inserting rows referencing the user (sessions, idempotency
    // records) takes on it.
    await this.db.selectFrom('users').select('id').where('id', '=', id).forNoKeyUpdate().execute();
  }
}
