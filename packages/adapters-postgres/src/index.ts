/**
 * @banking/adapters-postgres — the store where the money lives: Kysely over `pg` (a PostgreSQL
 * server) or over PGlite (embedded PostgreSQL in a data directory), same migrations and queries.
 */
export { openDatabase, type Database, type DatabaseOptions } from './database.js';
export { DatabaseUnavailable, maskDatabaseUrl } from './database-unavailable.js';
export { DataDirLocked, LOCK_FILE, describeHolder, lockDataDir, type DataDirHolder, type DataDirLock } from './data-dir-lock.js';
export { errorReason } from './error-reason.js';
export { migrateToLatest, migrateDown } from './migrator.js';
export { ledgerSummary, verifyLedger, type LedgerSummary, type LedgerViolation } from './ledger-verify.js';
export type { DatabaseSchema } from './schema.js';
