import { inspect } from 'node:util';
import { Migrator, type Kysely, type MigrationResult } from 'kysely';
import { migrations } from './migrations/index.js';

function migrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
}

function check(error: unknown, results: readonly MigrationResult[] | undefined): string[] {
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : inspect(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Brings the schema to the latest migration (under Kysely's migration lock, so several API
 * instances starting together apply each migration once). Returns the names applied now.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  return check(error, results);
}

/** Undoes the latest migration (development only). Returns the names undone. */
export async function migrateDown<DB>(db: Kysely<DB>): Promise<string[]> {
  const { error, results } = await migrator(db).migrateDown();
  return check(error, results);
}
