// `pnpm migrate`: applies pending migrations to DATABASE_URL (or to the embedded database in
// DATA_DIR, default ./data) and exits.
import { openDatabase } from '../database.js';
import { migrateToLatest } from '../migrator.js';

const databaseUrl = process.env['DATABASE_URL'] || undefined;
const dataDir = process.env['DATA_DIR'] || './data';

try {
  const database = await openDatabase({ databaseUrl, dataDir, migrate: false });
  try {
    const applied = await migrateToLatest(database.db);
    const target = databaseUrl ? 'DATABASE_URL' : `DATA_DIR=${dataDir}`;
    console.log(applied.length > 0 ? `Applied ${applied.join(', ')} (${target})` : `Schema already up to date (${target})`);
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
