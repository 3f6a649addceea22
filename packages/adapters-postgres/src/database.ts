import { basename } from 'node:path';
import type { UnitOfWork } from '@banking/domain';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { DataDirLocked, lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { DatabaseUnavailable, maskDatabaseUrl } from './database-unavailable.js';
import { errorReason } from './error-reason.js';
import { migrateToLatest } from './migrator.js';
import { kyselyPool } from './pg-pool.js';
import type { DatabaseSchema } from './schema.js';
import { SessionDialect } from './session-dialect.js';
import { PostgresUnitOfWork } from './unit-of-work.js';

export interface DatabaseOptions {
  /** postgres://… → a PostgreSQL server through `pg`; absent → embedded PGlite in `dataDir`. */
  readonly databaseUrl?: string | undefined;
  /** PGlite data directory (created when missing; the caller picks the default). */
  readonly dataDir: string;
  /**
   * What this process is (`banking-api`, `pnpm migrate`…), written in the data directory's lock
   * so that a second process refused on it can name its holder (default: the script's name).
   */
  readonly processName?: string | undefined;
  /** `pg` pool size (default 10). */
  readonly poolMax?: number | undefined;
  /**
   * Write BEGIN and COMMIT on the wire with the statement next to them (default true; `pg` only):
   * a movement waits for 2 answers instead of 4. Off for a pooler that cannot take pipelined
   * queries (several Sync-terminated queries in one write).
   */
  readonly pipeline?: boolean | undefined;
  /** Longest a statement may run before the server cancels it (default 5000 ms; 0: no limit; `pg` only). */
  readonly statementTimeoutMs?: number | undefined;
  /** Failures of after-commit subscribers (the read cache's invalidation) are reported here, never thrown. */
  readonly onHookError?: ((error: unknown) => void) | undefined;
  /** Run the migrations before returning (default true). */
  readonly migrate?: boolean | undefined;
}

export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export interface Database {
  readonly uow: UnitOfWork;
  readonly kind: 'postgres' | 'pglite';
  /** The query builder, for migrations, `verifyLedger` and tests; the app goes through `uow`. */
  readonly db: Kysely<DatabaseSchema>;
  /** Resolves when `select 1` answers; rejects otherwise. */
  ping(): Promise<void>;
  stats(): PoolStats;
  close(): Promise<void>;
}

const DEFAULT_POOL_MAX = 10;
const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
/** Longest a new connection may take to open (TCP and start-up). */
const CONNECT_TIMEOUT_MS = 5000;
/**
 * Longest a unit of work may wait for a free pooled connection. Generous: a burst of requests
 * queues here while each holder is bounded by statement_timeout, so the queue always drains.
 */
const ACQUIRE_TIMEOUT_MS = 30_000;

/** pg's pool uses one setting for both waits; the client is given the connect bound in its own configuration. */
class BoundedConnectClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super({ ...(typeof config === 'string' ? { connectionString: config } : config), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

/** Connects (PostgreSQL server or embedded PGlite), runs the migrations, and returns the store. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = options.databaseUrl ? await openServer(options.databaseUrl, options) : await openEmbedded(options);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(database.db);
    } catch (error) {
      await database.close().catch(() => {});
      throw error;
    }
  }
  return database;
}

async function openServer(databaseUrl: string, options: DatabaseOptions): Promise<Database> {
  const where = `DATABASE_URL=${maskDatabaseUrl(databaseUrl)}`;
  let pool: pg.Pool;
  let pipeline: boolean;
  try {
    new URL(databaseUrl);
    pipeline = options.pipeline ?? true;
    pool = new pg.Pool({
      connectionString: databaseUrl,
      max: options.poolMax ?? DEFAULT_POOL_MAX,
      Client: BoundedConnectClient,
      // pg's pipeline mode: a query is written as soon as it is submitted, without waiting for the
      // answers before it (what lets the session dialect write BEGIN and COMMIT with their neighbours).
      pipeline,
      connectionTimeoutMillis: ACQUIRE_TIMEOUT_MS,
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      // A client that dies between BEGIN and COMMIT must not hold its row locks for long.
      idle_in_transaction_session_timeout: 60_000,
      application_name: 'banking-api',
    });
  } catch (error) {
    throw new DatabaseUnavailable(`Invalid DATABASE_URL: ${where}`, { cause: error });
  }
  // An idle client whose server went away emits 'error'; the pool drops it and the next query
  // (or ping) reports the outage. Without a listener the process would crash.
  pool.on('error', () => {});
  // A client checked out by a unit of work has no pool listener: a connection reset between two
  // of its statements (a server restart: an ErrorResponse, then ECONNRESET) is emitted as 'error'
  // on the client and crashed the whole API process. The statement in flight, or the next one,
  // fails instead (DatabaseUnavailable), and the pool discards the client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailable(`Cannot reach the database at ${where}: ${errorReason(error)}`, { cause: error });
  }
  const db = new Kysely<DatabaseSchema>({ dialect: new SessionDialect(new PostgresDialect({ pool: kyselyPool(pool, { coalesceWrites: pipeline }) }), { pipeline }) });
  const uow = new PostgresUnitOfWork(db, { onHookError: options.onHookError });
  return {
    uow,
    kind: 'postgres',
    db,
    ping: () => ping(db),
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => db.destroy(),
  };
}

/**
 * PGlite on `dataDir`, once this process owns the directory: a second process is refused
 * (`DataDirLocked`, naming the holder) before PGlite is even created, since two of them on one
 * directory corrupt it. The lock is released by `close()`.
 */
async function openEmbedded(options: DatabaseOptions): Promise<Database> {
  const where = `DATA_DIR=${options.dataDir}`;
  let lock: DataDirLock;
  try {
    lock = await lockDataDir(options.dataDir, options.processName ?? `node ${basename(process.argv[1] ?? 'script')}`);
  } catch (error) {
    if (error instanceof DataDirLocked) throw error;
    throw new DatabaseUnavailable(`Cannot open the embedded database in ${where}: ${errorReason(error)}`, { cause: error });
  }
  let client: PGlite;
  try {
    client = await PGlite.create(options.dataDir);
  } catch (error) {
    await lock.release();
    throw new DatabaseUnavailable(`Cannot open the embedded database in ${where}: ${errorReason(error)}`, { cause: error });
  }
  // One connection: the dialect's driver hands it to one transaction at a time, in order.
  const db = new Kysely<DatabaseSchema>({ dialect: new SessionDialect(new PGliteDialect(client), { pipeline: false }) });
  const uow = new PostgresUnitOfWork(db, { onHookError: options.onHookError });
  return {
    uow,
    kind: 'pglite',
    db,
    ping: () => ping(db),
    stats: () => ({ total: 1, idle: uow.inFlight === 0 ? 1 : 0, waiting: Math.max(0, uow.inFlight - 1) }),
    close: async () => {
      await db.destroy();
      // Released only once PGlite has closed: the next owner must find the data at rest.
      await lock.release();
    },
  };
}

async function ping(db: Kysely<DatabaseSchema>): Promise<void> {
  await sql`select 1`.execute(db);
}
