import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Test } from 'tap';

const run = promisify(execFile);

/** The machine's PostgreSQL server (trust auth); tests only create and drop databases of their own on it. */
export const POSTGRES_SERVER_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The machine's Redis, shared with other tests: only keys under a random prefix, never a flush. */
export const MACHINE_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';

/** Runs one SQL statement through psql (no driver in this package) and returns its unaligned output. */
export async function psql(url: string, sql: string): Promise<string> {
  const { stdout } = await run('psql', [url, '-X', '-v', 'ON_ERROR_STOP=1', '-tAq', '-c', sql], {
    env: { ...process.env, PGCONNECT_TIMEOUT: '3' },
    timeout: 30_000,
  });
  return stdout.trim();
}

/** Runs redis-cli against a URL and returns its raw output. */
export async function redisCli(url: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-u', url, ...args], { timeout: 10_000 });
  return stdout.trim();
}

async function reason(probe: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await probe();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
  }
}

/**
 * Whether the machine's PostgreSQL and Redis (and a redis-server binary, when asked) answer. When
 * one does not, the test fails with the reason (a missing service is a failure, never a skip).
 */
export async function requireServices(t: Test, needs: { readonly machineRedis?: boolean; readonly redisServerBinary?: boolean } = {}): Promise<boolean> {
  const problems: string[] = [];
  const pg = await reason(() => psql(POSTGRES_SERVER_URL, 'select 1'));
  if (pg !== undefined) problems.push(`PostgreSQL at ${POSTGRES_SERVER_URL} is unreachable (${pg})`);
  if (needs.machineRedis !== false) {
    const redis = await reason(async () => {
      const pong = await redisCli(MACHINE_REDIS_URL, ['PING']);
      if (pong !== 'PONG') throw new Error(pong || 'no answer');
    });
    if (redis !== undefined) problems.push(`Redis at ${MACHINE_REDIS_URL} is unreachable (${redis})`);
  }
  if (needs.redisServerBinary) {
    const binary = await reason(() => run('redis-server', ['--version'], { timeout: 5000 }));
    if (binary !== undefined) problems.push(`redis-server cannot be started (${binary})`);
  }
  if (problems.length === 0) return true;
  const why = problems.join('; ');
  t.fail(why);
  return false;
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  query(sql: string): Promise<string>;
}

/** A fresh database with a random name on the machine's server, dropped at the end of the test. */
export async function freshDatabase(t: Test): Promise<TestDatabase> {
  const name = `banking_test_${randomBytes(6).toString('hex')}`;
  await psql(POSTGRES_SERVER_URL, `create database ${name}`);
  // Registered first, so it runs after the API processes (torn down later, run earlier) have stopped.
  t.teardown(() => psql(POSTGRES_SERVER_URL, `drop database if exists ${name} with (force)`));
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), query: (sql) => psql(url.toString(), sql) };
}

/** A key prefix of this test's own on the machine's Redis; its keys are deleted (SCAN + UNLINK) at the end. */
export function redisPrefix(t: Test, url = MACHINE_REDIS_URL): string {
  const prefix = `test:http-fastify:${randomUUID()}:`;
  t.teardown(async () => {
    const keys = (await redisCli(url, ['--scan', '--pattern', `${prefix}*`])).split('\n').filter((k) => k !== '');
    for (let i = 0; i < keys.length; i += 500) await redisCli(url, ['UNLINK', ...keys.slice(i, i + 500)]);
  });
  return prefix;
}
