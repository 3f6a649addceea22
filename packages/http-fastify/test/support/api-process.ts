import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { freePort, listensOn } from '../../../adapters-redis/test/support/private-redis.js';

export { freePort, listensOn };

/** What the API says when its port is taken: Node's code, or its own one-line start-up failure. */
export const PORT_TAKEN = /EADDRINUSE|already in use/;

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/http-fastify/dist/main.js');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
// One lock per checkout: another worktree's build writes another dist/ and must not wait for, or
// break, this one's.
const BUILD_LOCK = join(tmpdir(), `banking-api-tsc-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 16)}.lock`);
const BUILD_TIMEOUT_MS = 180_000;

export const E2E_SECRET = 'e2e-test-secret-key-long-enough-for-hs256-0123456789abcdef';

let built: Promise<void> | undefined;

/**
 * `tsc -b` once per test process, so the server started is the current source (a no-op when
 * `pnpm test` built already). Test files run in parallel: a lock directory keeps two builds from
 * writing dist/ at once.
 */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    for (;;) {
      try {
        await mkdir(BUILD_LOCK);
        break;
      } catch {
        // Only a lock older than any build can be left over from a killed process: taking a younger
        // one would run two builds into one dist/ on a machine slow enough to hold it that long.
        const age = await stat(BUILD_LOCK).then((s) => Date.now() - s.mtimeMs, () => 0);
        if (age > BUILD_TIMEOUT_MS + 10_000) await rm(BUILD_LOCK, { recursive: true, force: true });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    try {
      await promisify(execFile)(process.execPath, [TSC, '-b'], { cwd: ROOT, timeout: BUILD_TIMEOUT_MS });
    } finally {
      await rmdir(BUILD_LOCK).catch(() => undefined);
    }
  })();
  return built;
}

/** A JSON log line of the API process. */
export type LogLine = Record<string, unknown> & { readonly msg?: string; readonly level?: number };

export interface ApiProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  readonly logs: LogLine[];
  readonly stderr: () => string;
  /** Resolves with the exit code (or the signal) once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node packages/http-fastify/dist/main.js` as a real process on a free port (or `env.PORT`), with only the
 * variables given (plus PATH, HOST, PORT, NODE_ENV=test, a test SECRET_KEY and LOG_LEVEL=warn), in
 * an empty working directory (no stray .env). Resolves when /health answers from this process (not
 * from another that holds the port); stopped at the end of the test.
 */
export async function startApi(
  t: Test,
  name: string,
  env: Readonly<Record<string, string>>,
  options: { readonly startTimeoutMs?: number } = {},
): Promise<ApiProcess> {
  await ensureBuilt();
  // A PORT given in `env` restarts an instance on the port its clients already use; a free port is
  // free only when drawn, so a process that finds it taken is started again on another one.
  const given = env['PORT'];
  for (let attempt = 1; ; attempt++) {
    const started = await launch(t, name, env, given !== undefined ? Number(given) : await freePort(), options.startTimeoutMs ?? 30_000);
    if ('api' in started) return started.api;
    if (given !== undefined || !started.portTaken || attempt === 5) throw new Error(started.failure);
  }
}

async function launch(
  t: Test,
  name: string,
  env: Readonly<Record<string, string>>,
  port: number,
  startTimeoutMs: number,
): Promise<{ readonly api: ApiProcess } | { readonly failure: string; readonly portTaken: boolean }> {
  const cwd = await mkdtemp(join(tmpdir(), 'banking-api-'));
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      SECRET_KEY: E2E_SECRET,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const logs: LogLine[] = [];
  let stderr = '';
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const stop = async (graceMs = 15_000) => {
    if (!hasExited()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };
  t.teardown(async () => {
    await stop(5000);
    await rm(cwd, { recursive: true, force: true });
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (hasExited()) {
      await closed; // what it wrote before it exited
      const said = `${stderr}${JSON.stringify(logs.slice(-5))}`;
      return { failure: `API ${name} exited at start-up: ${said}`, portTaken: PORT_TAKEN.test(said) };
    }
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200 && (await listensOn(child.pid!, port))) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`API ${name} did not answer /health within ${startTimeoutMs / 1000} s: ${stderr}${JSON.stringify(logs.slice(-5))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { api: { name, url, pid: child.pid!, logs, stderr: () => stderr, exited, signal: (s) => child.kill(s), stop } };
}

/** A node process of a test: its output so far, its exit, and ways to stop it. */
export interface NodeProcess {
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Every non-empty line, stdout's then stderr's. */
  readonly lines: () => string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly hasExited: () => boolean;
  kill(signal: NodeJS.Signals): void;
  /** Closes its standard input. */
  endInput(): void;
}

/**
 * `node ARGS` (absolute paths) in the temporary directory, with only the variables given (plus PATH, NODE_ENV=test,
 * LOG_LEVEL=warn and a test SECRET_KEY unless given); killed at the end of the test.
 */
export function runNode(t: Test, args: readonly string[], env: Readonly<Record<string, string>> = {}): NodeProcess {
  const child = spawn(process.execPath, args, {
    // Not the repository: a developer's .env there must not configure the process.
    cwd: tmpdir(),
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', SECRET_KEY: E2E_SECRET, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let gone = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      gone = true;
      resolve({ code, signal });
    }),
  );
  t.teardown(async () => {
    if (!gone) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    lines: () => `${stdout}\n${stderr}`.split('\n').filter((line) => line.trim() !== ''),
    exited,
    hasExited: () => gone,
    kill: (signal) => child.kill(signal),
    endInput: () => child.stdin.end(),
  };
}

/** Polls `condition` every 50 ms until it holds; throws naming `what` after `timeoutMs` (a bound on a hang, not a timing assertion). */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
