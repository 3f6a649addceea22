import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Test } from 'tap';

/** The shared server of the test machine (trust auth); tests never write to its own databases. */
export const SERVER_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  readonly drop: () => Promise<void>;
}

async function admin<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Whether the server answers; the reason when it does not. */
export async function serverReachable(): Promise<true | string> {
  try {
    await admin((c) => c.query('select 1'));
    return true;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * For the files that need the server: rejects, naming the server and the reason, when it does not
 * answer, so that the file fails at once (a missing service is a failure, never a skip).
 */
export async function requireServer(): Promise<void> {
  const reachable = await serverReachable();
  if (reachable !== true) throw new Error(`PostgreSQL is unreachable at ${SERVER_URL}: ${reachable}`);
}

/** A fresh database with a random name on the shared server, dropped by `drop()` and at the test's end. */
export async function freshDatabase(t: Test): Promise<TestDatabase> {
  const name = `banking_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await admin((c) => c.query(`drop database if exists ${name} with (force)`));
  };
  t.teardown(drop);
  return { url: url.toString(), name, drop };
}

/** A temporary directory removed at the end of the test. */
export async function tempDir(t: Test, prefix = 'banking-pglite-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
