import { spawn } from 'node:child_process';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion (no shell), capturing its output; rejects on a non-zero exit unless `allowFailure`. */
export function run(
  program: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; allowFailure?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: options.env ?? process.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const result = { code: code ?? -1, stdout, stderr };
      if (result.code !== 0 && options.allowFailure !== true) {
        reject(new Error(`${program} ${args.join(' ')} exited ${result.code}: ${stderr.trim() || stdout.trim()}`));
      } else resolve(result);
    });
    if (options.input !== undefined && child.stdin) {
      // A program that exits before reading its input must not crash the bench with EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}

/** A PostgreSQL server reached with the command-line tools (psql, pgbench, createdb). */
export interface PgServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

export function pgServerFromUrl(url: string): PgServer {
  const parsed = new URL(url);
  // A Unix-socket directory is given as ?host=/var/run/postgresql, as libpq and pg accept it.
  const host = parsed.searchParams.get('host') ?? (parsed.hostname || '127.0.0.1');
  return { host, port: Number(parsed.port || 5432), user: decodeURIComponent(parsed.username || 'postgres') };
}

export function databaseUrl(server: PgServer, database: string): string {
  const user = encodeURIComponent(server.user);
  if (server.host.startsWith('/')) return `postgres://${user}@localhost:${server.port}/${database}?host=${encodeURIComponent(server.host)}`;
  return `postgres://${user}@${server.host}:${server.port}/${database}`;
}

export function pgArgs(server: PgServer): string[] {
  return ['-h', server.host, '-p', String(server.port), '-U', server.user];
}

/** Runs SQL through psql (stops at the first error) and returns its unaligned, tuples-only output. */
export async function psql(server: PgServer, database: string, sqlText: string): Promise<string> {
  const { stdout } = await run('psql', [...pgArgs(server), '-d', database, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'], { input: sqlText });
  return stdout.trim();
}

export async function createDatabase(server: PgServer, name: string): Promise<void> {
  await psql(server, 'postgres', `create database "${name}";`);
}

export async function dropDatabase(server: PgServer, name: string): Promise<void> {
  await psql(server, 'postgres', `drop database if exists "${name}" with (force);`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
