import { openDatabase } from '../database.js';
import { errorReason } from '../error-reason.js';
import { migrateToLatest } from '../migrator.js';

export type Env = Readonly<Record<string, string | undefined>>;
export type Print = (line: string) => void;

/** Where the CLIs work: DATABASE_URL when set, else the embedded database in DATA_DIR (default ./data). */
export function target(env: Env): { databaseUrl: string | undefined; dataDir: string; label: string } {
  const databaseUrl = env['DATABASE_URL'] || undefined;
  const dataDir = env['DATA_DIR'] || './data';
  return { databaseUrl, dataDir, label: databaseUrl ? 'DATABASE_URL' : `DATA_DIR=${dataDir}` };
}

/** `pnpm migrate`: applies the pending migrations and reports them. Returns the exit code. */
export async function migrateCommand(env: Env, print: Print, printError: Print): Promise<number> {
  const { databaseUrl, dataDir, label } = target(env);
  try {
    const database = await openDatabase({ databaseUrl, dataDir, migrate: false, processName: 'pnpm migrate' });
    try {
      const applied = await migrateToLatest(database.db);
      print(applied.length > 0 ? `migrate: applied ${applied.join(', ')} (${label})` : `migrate: schema already up to date (${label})`);
      return 0;
    } finally {
      await database.close();
    }
  } catch (error) {
    printError(`migrate: ${errorReason(error)}`);
    return 1;
  }
}
