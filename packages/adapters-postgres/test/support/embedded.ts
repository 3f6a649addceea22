import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { openDatabase, type Database, type DatabaseOptions } from '../../src/index.js';

/** An embedded database in a fresh temporary data directory; closed, then removed, at the test's end. */
export async function embeddedDatabase(t: Test, options: Partial<DatabaseOptions> = {}): Promise<{ database: Database; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'banking-pglite-'));
  const database = await openDatabase({ dataDir, ...options });
  t.teardown(async () => {
    await database.close().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  });
  return { database, dataDir };
}
