import { execFile, execFileSync } from 'node:child_process';
import { appendFile, chown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../packages/adapters-redis/test/support/private-redis.js';
import { psql } from '../../packages/http-fastify/test/support/services.js';

const run = promisify(execFile);

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user. */
const asRoot = process.getuid?.() === 0;

function command(program: string, args: readonly string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, [...args]];
}

/**
 * Where initdb and pg_ctl are: on PATH, or (Debian's packages keep them off PATH) the newest
 * /usr/lib/postgresql/<version>/bin; PG_BIN overrides.
 */
let binDir: Promise<string> | undefined;
function postgresBin(): Promise<string> {
  binDir ??= (async () => {
    if (process.env['PG_BIN']) return process.env['PG_BIN'];
    const onPath = await run('sh', ['-c', 'command -v initdb']).then((r) => r.stdout.trim(), () => '');
    if (onPath !== '') return dirname(onPath);
    const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
    const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
    return newest === undefined ? '' : `/usr/lib/postgresql/${newest}/bin`;
  })();
  return binDir;
}

async function pg(program: string, args: readonly string[], timeout = 60_000): Promise<string> {
  const bin = await postgresBin();
  const [file, argv] = command(bin === '' ? program : join(bin, program), args);
  const { stdout } = await run(file, argv, { timeout });
  return stdout;
}

export type ShutdownMode = 'smart' | 'fast' | 'immediate';

/**
 * A PostgreSQL cluster of the suite's own (`initdb` + `pg_ctl`) in a temporary directory, on a
 * free port, so that restarting or crashing it touches nothing else on the machine.
 */
export class PrivatePostgres {
  private running = false;
  /** pg_ctl's full path, for the synchronous stop on exit. */
  private pgCtl = 'pg_ctl';
  private readonly onExit = () => this.stopSync();

  private constructor(
    private bound: number,
    private readonly dir: string,
  ) {}

  get port(): number {
    return this.bound;
  }

  /** Whether initdb and pg_ctl can run here (and, as root, the postgres user exists). */
  static async available(): Promise<string | undefined> {
    try {
      await pg('initdb', ['--version'], 10_000);
      await pg('pg_ctl', ['--version'], 10_000);
      return undefined;
    } catch (error) {
      return `initdb/pg_ctl cannot run${asRoot ? ' as the postgres user' : ''}: ${error instanceof Error ? error.message.split('\n', 1)[0] : String(error)}`;
    }
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = await mkdtemp(join(tmpdir(), 'banking-proof-pg-'));
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      await chown(dir, uid, gid);
    }
    const server = new PrivatePostgres(await freePort(), dir);
    const bin = await postgresBin();
    if (bin !== '') server.pgCtl = join(bin, 'pg_ctl');
    await pg('initdb', ['-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    await appendFile(
      join(server.dataDir, 'postgresql.conf'),
      [
        `port = ${server.port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir}'`,
        'max_connections = 100',
        'shared_buffers = 32MB',
        // A crash (pg_ctl -m immediate) must lose nothing that was committed: keep the defaults
        // that make a commit durable.
        'fsync = on',
        'synchronous_commit = on',
        '',
      ].join('\n'),
    );
    process.once('exit', server.onExit);
    // The port was free when drawn: when a process took it first, postgres cannot bind it, and
    // starts again on another one (a later `port =` line wins).
    for (let attempt = 1; ; attempt++) {
      try {
        await server.startServer();
        return server;
      } catch (error) {
        const log = await readFile(server.logFile, 'utf8').catch(() => '');
        if (attempt === 5 || !log.includes('Address already in use')) throw error;
        server.bound = await freePort();
        await appendFile(join(server.dataDir, 'postgresql.conf'), `port = ${server.bound}\n`);
      }
    }
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private get logFile(): string {
    return join(this.dir, 'postgres.log');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    await psql(this.url(), `create database ${name}`);
    return this.url(name);
  }

  private async startServer(): Promise<void> {
    await pg('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', 'start']);
    this.running = true;
  }

  /** `pg_ctl restart -m <mode>`: `immediate` is a crash (recovery from the WAL on start). */
  async restart(mode: ShutdownMode): Promise<void> {
    await pg('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-m', mode, '-w', '-t', '60', 'restart']);
    this.running = true;
  }

  async stop(mode: ShutdownMode): Promise<void> {
    if (!this.running) return;
    await pg('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    this.running = false;
  }

  async start(): Promise<void> {
    if (!this.running) await this.startServer();
  }

  /** Stops the server (immediately) and deletes its files. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    process.off('exit', this.onExit);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Last resort when the test process exits without its teardown: never leave a server behind. */
  private stopSync(): void {
    if (!this.running) return;
    const [file, argv] = command(this.pgCtl, ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    try {
      execFileSync(file, argv, { stdio: 'ignore', timeout: 20_000 });
    } catch {
      // nothing more to do on exit
    }
  }
}
