import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { sleep } from './shell.js';

/** A port the kernel says is free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Spawned {
  readonly pid: number;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

function spawned(child: ChildProcess): Spawned {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    pid: child.pid ?? -1,
    process: child,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A private redis-server on a free port, nothing kept on disk: the bench never touches the shared Redis. */
export async function startRedis(): Promise<Spawned & { readonly url: string }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const url = `redis://127.0.0.1:${port}/0`;
  for (let i = 0; i < 100; i++) {
    if (await reachable(port)) return { ...spawned(child), url };
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

function reachable(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/`).then(
    () => true,
    // Redis answers HTTP with a closed connection: any socket-level answer other than
    // "connection refused" means it listens.
    (error: unknown) => !String((error as { cause?: { code?: string } }).cause?.code).includes('ECONNREFUSED'),
  );
}

export interface ApiOptions {
  readonly env: Readonly<Record<string, string>>;
  /** Where the API's JSON log lines go. */
  readonly logFile: string;
  /** Extra node flags (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** The repository root (where packages/ is). */
  readonly root: string;
  /** Working directory of the API: one without a .env file, so that only `env` configures it. */
  readonly cwd: string;
}

/** Starts `node packages/http-fastify/dist/main.js` and waits until GET /ready answers 200. */
export async function startApi(options: ApiOptions): Promise<Spawned & { readonly baseUrl: string }> {
  const port = options.env['PORT'];
  if (port === undefined) throw new Error('PORT is required');
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(options.root, 'packages/http-fastify/dist/main.js')], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const api = spawned(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} at start-up; see ${options.logFile}`);
    try {
      const response = await fetch(`${baseUrl}/ready`);
      if (response.status === 200) return { ...api, baseUrl };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await api.stop();
  throw new Error(`the API was not ready within 120 s; see ${options.logFile}`);
}

/** Starts the bare node:http server of http-floor-server.ts; resolves with its URL once it listens. */
export async function startHttpFloor(): Promise<Spawned & { readonly baseUrl: string }> {
  const script = new URL('./http-floor-server.js', import.meta.url);
  const child = spawn(process.execPath, [script.pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const server = spawned(child);
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the HTTP floor server exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match?.[1]) resolve(match[1]);
    });
  });
  return { ...server, baseUrl: `http://127.0.0.1:${port}` };
}
