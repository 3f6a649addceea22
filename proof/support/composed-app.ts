import { createRequire } from 'node:module';
import type { Test } from 'tap';
import { openDatabase, type Database } from '../../packages/adapters-postgres/src/index.js';
import { compose, createContainer, TOKENS } from '../../packages/http-fastify/src/container.js';
import { ScryptHasher } from '../../packages/adapters-memory/src/index.js';
import { parseConfig, type AppConfig } from '../../packages/http-fastify/src/index.js';

type Logger = Parameters<typeof createContainer>[1];
type FastifyInstance = Awaited<ReturnType<typeof compose>>['app'];
// pino is the API package's dependency, not the root's: load it the way the API does.
const pino = createRequire(new URL('../../packages/http-fastify/package.json', import.meta.url))('pino') as (options: { level: string }) => Logger;

export const PROOF_SECRET = 'proof-suite-secret-key-long-enough-for-hs256-0123456789abcdef';

export interface ComposedApp {
  readonly app: FastifyInstance;
  readonly config: AppConfig;
  /** A connection of the test's own to the same database, to read the state behind the API. */
  readonly database: Database;
}

/**
 * The production composition root (`compose`: the real PostgreSQL adapter, the in-process stores
 * that replace Redis, the real auth) on a database of the test's own, driven with `app.inject()`.
 * `cheapHashing` swaps scrypt's cost for a test-sized one (the algorithm is the same) where a
 * proof registers many users.
 */
export async function composedApp(t: Test, databaseUrl: string, options: { readonly cheapHashing?: boolean; readonly vars?: Record<string, string> } = {}): Promise<ComposedApp> {
  const { config } = parseConfig({
    NODE_ENV: 'test',
    SECRET_KEY: PROOF_SECRET,
    DATABASE_URL: databaseUrl,
    RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: 'silent',
    ...options.vars,
  });
  // The production registrations, with the proof's own overrides on a child container.
  const container = createContainer(config, pino({ level: 'silent' })).createChildContainer();
  if (options.cheapHashing) container.register(TOKENS.Hasher, { useFactory: () => new ScryptHasher({ N: 1024, r: 8, p: 1 }) });
  const composed = await compose(container);
  const database = await openDatabase({ databaseUrl, dataDir: '', migrate: false });
  t.teardown(async () => {
    await composed.close();
    await database.close();
  });
  return { app: composed.app, config, database };
}

export interface Snapshot {
  /** Users, accounts, ledger lines, transfers, sessions and refresh tokens, every column that can change. */
  readonly bank: string;
  /** The recorded Idempotency-Key outcomes (a refusal made under a key is recorded, to be replayed). */
  readonly idempotency: string;
}

/** Everything a refused request must leave untouched, read from the database behind the API. */
export async function snapshot(database: Database): Promise<Snapshot> {
  const db = database.db;
  const [users, accounts, lines, transfers, sessions, tokens, idempotency] = await Promise.all([
    db.selectFrom('users').selectAll().orderBy('id').execute(),
    db.selectFrom('accounts').selectAll().orderBy('id').execute(),
    db.selectFrom('ledger_entries').select(['id', 'account_id', 'amount', 'balance_after', 'description']).orderBy('id').execute(),
    db.selectFrom('transfers').select(['id', 'amount']).orderBy('id').execute(),
    db.selectFrom('sessions').selectAll().orderBy('id').execute(),
    db.selectFrom('refresh_tokens').selectAll().orderBy('digest').execute(),
    db.selectFrom('idempotency_records').select(['user_id', 'key']).orderBy('user_id').orderBy('key').execute(),
  ]);
  return { bank: JSON.stringify({ users, accounts, lines, transfers, sessions, tokens }), idempotency: JSON.stringify(idempotency) };
}

export const sameState = (a: Snapshot, b: Snapshot): boolean => a.bank === b.bank && a.idempotency === b.idempotency;
