#!/usr/bin/env node
// Time from spawning the API (node packages/http-fastify/dist/main.js, what `pnpm start` runs after
// `tsc -b`) to its first 200 on /health: embedded PGlite on a fresh data dir, then on that existing
// dir, and (with DATABASE_URL set) against a PostgreSQL server. Prints figures; asserts nothing.
// Usage: pnpm build && node packages/http-fastify/scripts/measure-start.mjs [runs]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const runs = Number(process.argv[2] ?? 1);

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function timeStart(env) {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', SECRET_KEY: 'measure-start-secret-key-0123456789abcdef', ...env },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (child.exitCode !== null) throw new Error('the API exited at start-up');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const ms = performance.now() - began;
  child.kill('SIGTERM');
  const code = await exited;
  return { ms: Math.round(ms), exitCode: code };
}

const root = await mkdtemp(join(tmpdir(), 'banking-measure-'));
try {
  for (let i = 0; i < runs; i++) {
    const dataDir = join(root, `data-${i}`);
    const fresh = await timeStart({ DATA_DIR: dataDir });
    const existing = await timeStart({ DATA_DIR: dataDir });
    console.log(`embedded PGlite, fresh data dir:    ${fresh.ms} ms to first 200 on /health (exit ${fresh.exitCode} after SIGTERM)`);
    console.log(`embedded PGlite, existing data dir: ${existing.ms} ms to first 200 on /health (exit ${existing.exitCode} after SIGTERM)`);
    if (process.env.DATABASE_URL) {
      const server = await timeStart({ DATABASE_URL: process.env.DATABASE_URL });
      console.log(`PostgreSQL (${new URL(process.env.DATABASE_URL).host}):            ${server.ms} ms to first 200 on /health (exit ${server.exitCode} after SIGTERM)`);
    }
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
