import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A free TCP port on 127.0.0.1 (bound then released). Free now, not later: any process on the
 * machine may take it before the server meant for it binds it, so a server started on it must be
 * checked to be the one listening there (`listensOn`) and started again elsewhere when it is not.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Whether process `pid` holds the socket listening on TCP `port` (Linux /proc): a server that
 * answers on the port is then this one, not another that took the port first.
 */
export async function listensOn(pid: number, port: number): Promise<boolean> {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st ... inode: st 0A is LISTEN.
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(local) && fields[3] === '0A' && fields[9] !== undefined) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return false;
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode !== undefined && inodes.has(inode)) return true;
  }
  return false;
}

/** One raw PING: whether a Redis answers on the port within `ms`. */
export function answers(port: number, ms = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * A redis-server of this test's own, on a free port, without persistence except an explicit SAVE
 * (its RDB file is loaded again by `restart`, which is how a test keeps data across a kill).
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** On a free port; on another one when a process took that port first (see `freePort`). */
  static async start(): Promise<PrivateRedis> {
    const dir = await mkdtemp(join(tmpdir(), 'adapters-redis-'));
    for (let attempt = 1; ; attempt++) {
      const server = new PrivateRedis(await freePort(), dir);
      try {
        await server.restart();
        return server;
      } catch (error) {
        await server.kill();
        if (attempt === 5) {
          await rm(dir, { recursive: true, force: true });
          throw error;
        }
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /** Starts the server (again) on the same port and directory, and waits until it is the one answering there. */
  async restart(): Promise<void> {
    if (this.child !== undefined) throw new Error('already running');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--dbfilename', 'dump.rdb'];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    // A hang guard, not a measure: a loaded machine may take long to start a process.
    const deadline = Date.now() + 60_000;
    while (!exited() && Date.now() < deadline) {
      if ((await answers(this.port)) && child.pid !== undefined && (await listensOn(child.pid, this.port))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(exited() ? `redis-server exited at start-up on port ${this.port} (taken?)` : `redis-server did not answer on port ${this.port}`);
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGKILL (nothing saved), and waits for the process to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
