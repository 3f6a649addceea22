import { sql, type Kysely } from 'kysely';

// A migration is frozen history: it never imports application code, and it is never edited once
// shipped (a change is a new dated file). `Kysely<unknown>` on purpose: the schema types describe the
// latest state, not the state this file starts from.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // Stored already trimmed and lower-cased by the domain: a plain unique index is the rule.
    .addColumn('email', 'varchar(254)', (c) => c.notNull().unique())
    .addColumn('full_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('number', 'char(12)', (c) => c.notNull().unique())
    .addColumn('owner_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('balance', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('accounts_number_digits', sql`number ~ '^[0-9]{12}$'`)
    .addCheckConstraint('accounts_type_known', sql`type in ('COURANT', 'EPARGNE')`)
    .addCheckConstraint('accounts_status_known', sql`status in ('ACTIVE', 'FROZEN', 'CLOSED')`)
    .addCheckConstraint('accounts_currency_code', sql`currency ~ '^[A-Z]{3}$'`)
    .addCheckConstraint('accounts_balance_not_negative', sql`balance >= 0`)
    .addCheckConstraint('accounts_version_not_negative', sql`version >= 0`)
    .execute();
  // The owner's list (oldest first, ties by id) and the open-accounts count.
  await db.schema.createIndex('accounts_owner_created_idx').on('accounts').columns(['owner_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('transfers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('from_account_id', 'uuid', (c) => c.notNull().references('accounts.id'))
    .addColumn('to_account_id', 'uuid', (c) => c.notNull().references('accounts.id'))
    .addColumn('from_account_number', 'char(12)', (c) => c.notNull())
    .addColumn('to_account_number', 'char(12)', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('description', 'varchar(255)')
    .addColumn('from_balance_after', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('transfers_distinct_accounts', sql`from_account_id <> to_account_id`)
    .addCheckConstraint('transfers_amount_positive', sql`amount > 0`)
    .addCheckConstraint('transfers_balance_not_negative', sql`from_balance_after >= 0`)
    .addCheckConstraint('transfers_currency_code', sql`currency ~ '^[A-Z]{3}$'`)
    .execute();
  await db.schema.createIndex('transfers_from_account_idx').on('transfers').column('from_account_id').execute();
  await db.schema.createIndex('transfers_to_account_idx').on('transfers').column('to_account_id').execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id'))
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('direction', 'varchar(8)', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('balance_after', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('description', 'varchar(255)')
    .addColumn('transfer_id', 'uuid', (c) => c.references('transfers.id'))
    .addColumn('counterparty_account_number', 'char(12)')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // Also the index of newest-first pages: (account_id, sequence desc) is a backward scan of it.
    .addUniqueConstraint('ledger_entries_account_sequence_key', ['account_id', 'sequence'])
    .addCheckConstraint('ledger_entries_type_known', sql`type in ('DEPOT', 'RETRAIT', 'VIREMENT')`)
    .addCheckConstraint('ledger_entries_direction_known', sql`direction in ('CREDIT', 'DEBIT')`)
    .addCheckConstraint(
      'ledger_entries_cash_direction',
      sql`(type <> 'DEPOT' or direction = 'CREDIT') and (type <> 'RETRAIT' or direction = 'DEBIT')`,
    )
    .addCheckConstraint('ledger_entries_amount_positive', sql`amount > 0`)
    .addCheckConstraint('ledger_entries_balance_not_negative', sql`balance_after >= 0`)
    .addCheckConstraint('ledger_entries_sequence_positive', sql`sequence >= 1`)
    .addCheckConstraint('ledger_entries_currency_code', sql`currency ~ '^[A-Z]{3}$'`)
    .execute();
  // Date-filtered pages of one account.
  await db.schema.createIndex('ledger_entries_account_created_idx').on('ledger_entries').columns(['account_id', 'created_at']).execute();
  await db.schema.createIndex('ledger_entries_transfer_idx').on('ledger_entries').column('transfer_id').where('transfer_id', 'is not', null).execute();

  await db.schema
    .createTable('idempotency_records')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('key', 'varchar(255)', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    // json, not jsonb: a replay must answer the very bytes of the first response, and jsonb
    // reorders object keys. Nothing ever queries inside it.
    .addColumn('outcome', 'json', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_records_pkey', ['user_id', 'key'])
    .addCheckConstraint('idempotency_records_expiry_after_creation', sql`expires_at > created_at`)
    .execute();
  // For sweeping expired records.
  await db.schema.createIndex('idempotency_records_expires_idx').on('idempotency_records').column('expires_at').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  // Rebuilding the denylist after a restart reads recently revoked sessions only.
  await db.schema.createIndex('sessions_revoked_idx').on('sessions').column('revoked_at').where('revoked_at', 'is not', null).execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('digest', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('session_id', 'uuid', (c) => c.notNull().references('sessions.id'))
    .addColumn('parent_digest', 'varchar(128)')
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('rotated_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('refresh_tokens_session_idx').on('refresh_tokens').column('session_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['refresh_tokens', 'sessions', 'idempotency_records', 'ledger_entries', 'transfers', 'accounts', 'users']) {
    await db.schema.dropTable(table).execute();
  }
}
