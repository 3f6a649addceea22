import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SweepIdempotencyOptions, SweepIdempotencyResult } from '@banking/domain';
import t from 'tap';
import Type from 'typebox';
import { configTable, envExample, withConfigTable } from '../src/config-docs.js';
import { ConfigError, ENV, loadConfig, parseConfig } from '../src/index.js';
import { IdempotencySweeper } from '../src/runtime/idempotency-sweeper.js';
import { ensureBuilt } from './support/api-process.js';

t.test('config', async (t) => {
  await t.test('defaults are the contract defaults', async (t) => {
    const { config, warnings } = parseConfig({});
    t.equal(config.port, 3000);
    t.equal(config.host, '127.0.0.1');
    t.equal(config.dataDir, './data');
    t.equal(config.databaseUrl, undefined);
    t.equal(config.redisUrl, undefined);
    t.equal(config.algorithm, 'HS256');
    t.equal(config.accessTokenExpireMinutes, 30);
    t.equal(config.refreshTokenExpireDays, 7);
    t.equal(config.rateLimitPerMinute, 60);
    t.equal(config.authRateLimitPerMinute, 10);
    t.equal(config.apiVersion, 'v1');
    t.equal(config.apiWorkers, 1);
    t.equal(config.dbPipeline, true, 'BEGIN and COMMIT pipelined by default');
    t.equal(config.sessionRecheckMs, 1000, 'a session read as live is trusted for 1 s');
    t.equal(config.idempotencyRetentionHours, 24, 'Idempotency-Key records kept 24 h');
    t.equal(config.idempotencySweepIntervalSeconds, 600, 'swept every 10 minutes');
    t.equal(config.debug, false);
    t.same(config.corsOrigins, [], 'no CORS origin: browsers on other origins cannot call the API');
    t.equal(config.metricsToken, undefined, '/metrics public');
    t.equal(config.nodeEnv, 'development');
    t.equal(config.secretKeyGenerated, true, 'development without SECRET_KEY: a random key per process');
    t.ok(config.secretKey.length >= 32);
    t.match(warnings.join('\n'), /SECRET_KEY/);
    t.not(parseConfig({}).config.secretKey, config.secretKey, 'a new key each time');
  });

  await t.test('reads every variable', async (t) => {
    const { config, warnings } = parseConfig({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '8080',
      DATA_DIR: '/var/lib/bank',
      DATABASE_URL: 'postgresql://user:pw@db:5432/banking',
      DB_POOL_MAX: '20',
      DB_PIPELINE: 'false',
      SESSION_RECHECK_MS: '250',
      REDIS_URL: 'redis://cache:6379/1',
      SECRET_KEY: 'k'.repeat(48),
      ALGORITHM: 'HS512',
      ACCESS_TOKEN_EXPIRE_MINUTES: '15',
      REFRESH_TOKEN_EXPIRE_DAYS: '14',
      RATE_LIMIT_PER_MINUTE: '120',
      AUTH_RATE_LIMIT_PER_MINUTE: '5',
      API_VERSION: 'v2',
      DEBUG: 'True',
      API_WORKERS: '4',
      MAX_AMOUNT: '5000',
      TRUST_PROXY: '1',
      CORS_ORIGINS: ' https://app.example.com ,http://localhost:5173,https://[::1]:8443',
      METRICS_TOKEN: 'm'.repeat(32),
      IDEMPOTENCY_RETENTION_HOURS: '72',
      IDEMPOTENCY_SWEEP_INTERVAL_SECONDS: '30',
    });
    t.same(warnings, []);
    t.match(config, {
      nodeEnv: 'production',
      host: '0.0.0.0',
      port: 8080,
      dataDir: '/var/lib/bank',
      databaseUrl: 'postgresql://user:pw@db:5432/banking',
      dbPoolMax: 20,
      dbPipeline: false,
      sessionRecheckMs: 250,
      redisUrl: 'redis://cache:6379/1',
      secretKeyGenerated: false,
      algorithm: 'HS512',
      accessTokenExpireMinutes: 15,
      refreshTokenExpireDays: 14,
      rateLimitPerMinute: 120,
      authRateLimitPerMinute: 5,
      apiVersion: 'v2',
      debug: true,
      logLevel: 'debug',
      apiWorkers: 4,
      maxAmount: 5000,
      trustProxy: true,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173', 'https://[::1]:8443'],
      metricsToken: 'm'.repeat(32),
      idempotencyRetentionHours: 72,
      idempotencySweepIntervalSeconds: 30,
    });
  });

  await t.test('CORS_ORIGINS: each entry an origin (scheme://host[:port]), else one line naming the variable', async (t) => {
    for (const bad of ['*', 'app.example.com', 'https://app.example.com/', 'https://app.example.com/path', 'ftp://files.example.com', 'https://a.com,,https://b.com', 'https://user:pw@a.com', 'https://A.example.com', 'https://a.com:443', 'https://a.com?x=1', 'null']) {
      let error: unknown;
      try {
        parseConfig({ CORS_ORIGINS: bad });
      } catch (e) {
        error = e;
      }
      t.ok(error instanceof ConfigError, `${bad}: refused`);
      t.same((error as ConfigError).problems.map((p) => p.split(':')[0]?.split('=')[0]), ['CORS_ORIGINS'], `${bad}: one line, naming CORS_ORIGINS`);
      t.notMatch((error as ConfigError).message, /pw@/, 'credentials are not echoed');
    }
  });

  await t.test('METRICS_TOKEN: at least 16 visible characters, never echoed', async (t) => {
    for (const bad of ['short-token', 'has spaces in the middle of it', `tab\tinside-a-long-token`]) {
      t.throws(() => parseConfig({ METRICS_TOKEN: bad }), { name: 'ConfigError', message: /METRICS_TOKEN/ }, JSON.stringify(bad));
      try {
        parseConfig({ METRICS_TOKEN: bad });
      } catch (e) {
        t.notMatch((e as Error).message, bad, 'the token is not echoed');
      }
    }
  });

  await t.test('REDIS_HOST/PORT/DB build the Redis URL when REDIS_URL is absent', async (t) => {
    t.equal(parseConfig({ REDIS_HOST: 'localhost', REDIS_PORT: '6380', REDIS_DB: '2' }).config.redisUrl, 'redis://localhost:6380/2');
    t.equal(parseConfig({ REDIS_HOST: '::1' }).config.redisUrl, 'redis://[::1]:6379/0');
    t.equal(parseConfig({ REDIS_URL: 'redis://a:1/0', REDIS_HOST: 'b' }).config.redisUrl, 'redis://a:1/0');
  });

  await t.test('one line per bad variable, each naming it', async (t) => {
    let error: unknown;
    try {
      parseConfig({
        PORT: 'eighty',
        ALGORITHM: 'none',
        RATE_LIMIT_PER_MINUTE: '0',
        DATABASE_URL: 'mysql://x',
        REDIS_URL: 'http://x',
        DEBUG: 'maybe',
        API_VERSION: '1',
        NODE_ENV: 'staging',
        ACCESS_TOKEN_EXPIRE_MINUTES: '-5',
        SESSION_RECHECK_MS: '60001',
        DB_PIPELINE: 'sometimes',
      });
    } catch (e) {
      error = e;
    }
    t.ok(error instanceof ConfigError);
    const problems = (error as ConfigError).problems;
    const named = ['PORT', 'ALGORITHM', 'RATE_LIMIT_PER_MINUTE', 'DATABASE_URL', 'REDIS_URL', 'DEBUG', 'API_VERSION', 'NODE_ENV', 'ACCESS_TOKEN_EXPIRE_MINUTES', 'SESSION_RECHECK_MS', 'DB_PIPELINE'];
    t.equal(problems.length, named.length);
    for (const name of named) t.equal(problems.filter((p) => p.startsWith(`${name}=`) || p.startsWith(`${name}:`)).length, 1, name);
    t.notMatch((error as ConfigError).message, /mysql:\/\/x/, 'URLs (which may hold passwords) are not echoed');
  });

  await t.test('an Idempotency-Key retention under 24 h is refused, in one line naming the variable', async (t) => {
    for (const value of ['23', '0', '-24', '1.5', 'a day']) {
      t.throws(() => parseConfig({ IDEMPOTENCY_RETENTION_HOURS: value }), {
        name: 'ConfigError',
        problems: [`IDEMPOTENCY_RETENTION_HOURS=${JSON.stringify(value)}: must be an integer from 24 to 8784`],
      }, value);
    }
    t.equal(parseConfig({ IDEMPOTENCY_RETENTION_HOURS: '24' }).config.idempotencyRetentionHours, 24);
    t.throws(() => parseConfig({ IDEMPOTENCY_SWEEP_INTERVAL_SECONDS: '0' }), {
      name: 'ConfigError',
      problems: ['IDEMPOTENCY_SWEEP_INTERVAL_SECONDS="0": must be an integer from 1 to 86400'],
    });
  });

  await t.test('production refuses a missing, example or short SECRET_KEY', async (t) => {
    for (const SECRET_KEY of [undefined, 'your-secret-key-change-in-production', 'change-me-to-a-long-random-secret', 'short']) {
      t.throws(() => parseConfig({ NODE_ENV: 'production', ...(SECRET_KEY !== undefined && { SECRET_KEY }) }), {
        name: 'ConfigError',
        message: /SECRET_KEY/,
      });
    }
    t.equal(parseConfig({ NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(40) }).config.secretKey, 'x'.repeat(40));
  });

  await t.test('more than one worker needs a PostgreSQL server', async (t) => {
    t.throws(() => parseConfig({ API_WORKERS: '2' }), { message: /API_WORKERS/ });
  });

  await t.test('reads .env, the environment winning over it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'bank-env-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, '.env');
    writeFileSync(file, 'PORT=4000\nRATE_LIMIT_PER_MINUTE=99\n# comment\nSECRET_KEY="from-the-file"\n');
    const { config } = loadConfig({ env: { PORT: '5000' }, envFile: file });
    t.equal(config.port, 5000);
    t.equal(config.rateLimitPerMinute, 99);
    t.equal(config.secretKey, 'from-the-file');
    t.equal(loadConfig({ env: {}, envFile: join(dir, 'missing.env') }).config.port, 3000, 'a missing .env is fine');
  });

  await t.test('`pnpm start` with an invalid configuration: exit 1, one line per bad variable, nothing opened', async (t) => {
    await ensureBuilt();
    const cwd = mkdtempSync(join(tmpdir(), 'bank-bad-config-'));
    t.teardown(() => rmSync(cwd, { recursive: true, force: true }));
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const env = { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', PORT: 'eighty', DATABASE_URL: 'mysql://user:hunter2@db/bank', CORS_ORIGINS: 'https://a.com/' };
    const result = spawnSync(process.execPath, [main], { cwd, env, encoding: 'utf8', timeout: 60_000 });
    t.equal(result.status, 1);
    const lines = result.stderr.trimEnd().split('\n');
    t.equal(lines[0], 'Invalid configuration:');
    t.same(lines.slice(1).map((line) => /^ {2}([A-Z_]+)[=:]/.exec(line)?.[1]), ['PORT', 'DATABASE_URL', 'CORS_ORIGINS', 'SECRET_KEY'], 'one line per bad variable, naming it');
    t.notMatch(result.stderr, /hunter2/, 'a password in a URL is not echoed');
    t.equal(result.stdout, '', 'nothing logged: the process stopped before starting anything');
    t.notOk(existsSync(join(cwd, 'data')), 'no embedded database created');
  });

  await t.test('an empty value is an unset one (a copied .env.example changes nothing)', async (t) => {
    const { config } = parseConfig({ PORT: '', DATABASE_URL: '  ', SECRET_KEY: '', CORS_ORIGINS: '', DB_PIPELINE: '' });
    t.equal(config.port, 3000);
    t.equal(config.databaseUrl, undefined);
    t.equal(config.secretKeyGenerated, true);
    t.same(config.corsOrigins, []);
    t.equal(config.dbPipeline, true);
  });

  await t.test('every variable is declared with one line of documentation, and a default unless it is optional', async (t) => {
    for (const [name, schema] of Object.entries(ENV) as [string, { description?: string; default?: unknown }][]) {
      t.match(schema.description, /^[^\n]{10,}$/, `${name} documented in one line`);
      if (!Type.IsOptional(schema)) t.not(schema.default, undefined, `${name} has a default`);
    }
  });

  await t.test('.env.example and the README table are what the schema generates (`pnpm config:docs` rewrites them)', async (t) => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    t.equal(example, envExample(), '.env.example: run `pnpm config:docs`');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    t.equal(readme, withConfigTable(readme), 'packages/http-fastify/README.md: run `pnpm config:docs`');

    // What the generated file says: every variable, with its default.
    const listed = new Map(
      envExample()
        .split('\n')
        .map((line) => /^([A-Z_]+)=(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, m[2]!]),
    );
    t.same([...listed.keys()], Object.keys(ENV), 'every variable, once, in the order of the schema');
    t.equal(listed.get('PORT'), '3000');
    t.equal(listed.get('DATABASE_URL'), '', 'an optional variable is listed empty');
    const parsed = parseConfig(Object.fromEntries(listed)).config;
    const defaults = parseConfig({}).config;
    t.same({ ...parsed, secretKey: '' }, { ...defaults, secretKey: '' }, 'the listed values are the defaults');
    for (const name of Object.keys(ENV)) t.match(configTable(), `| \`${name}\` |`, `${name} in the README table`);
    t.throws(() => withConfigTable('# no markers'), /markers/);
  });
});

t.test('IdempotencySweeper', async (t) => {
  // The sweeper's timer does not hold the process open (by design): this test's waits need to.
  const keepAlive = setInterval(() => {}, 1000);
  t.teardown(() => clearInterval(keepAlive));
  type Call = { readonly options: SweepIdempotencyOptions; finish(result: SweepIdempotencyResult | Error): void };
  /** A sweep whose every call waits until the test finishes it; `calls` shows them as they start. */
  const scripted = () => {
    const calls: Call[] = [];
    let running = 0;
    let overlapped = false;
    const arrivals: (() => void)[] = [];
    const sweep = (options: SweepIdempotencyOptions) =>
      new Promise<SweepIdempotencyResult>((resolve, reject) => {
        if (++running > 1) overlapped = true;
        calls.push({
          options,
          finish: (result) => {
            running--;
            if (result instanceof Error) reject(result);
            else resolve(result);
          },
        });
        arrivals.splice(0).forEach((arrived) => arrived());
      });
    /** Resolves once call number `n` (1-based) has started. */
    const call = async (n: number): Promise<Call> => {
      while (calls.length < n) await new Promise<void>((resolve) => arrivals.push(resolve));
      return calls[n - 1]!;
    };
    return { sweep, call, calls, overlapped: () => overlapped };
  };
  const recordingLog = () => {
    const lines: { level: string; obj: object; msg: string }[] = [];
    return {
      lines,
      info: (obj: object, msg: string) => void lines.push({ level: 'info', obj, msg }),
      warn: (obj: object, msg: string) => void lines.push({ level: 'warn', obj, msg }),
    };
  };

  await t.test('sweeps again after each interval, never two at once; one log line when it deleted something', async (t) => {
    const fake = scripted();
    const log = recordingLog();
    const sweeper = new IdempotencySweeper({ sweep: fake.sweep, intervalMs: 5, log });
    sweeper.start();
    sweeper.start(); // a second start is a no-op
    (await fake.call(1)).finish({ deleted: 0, complete: true });
    (await fake.call(2)).finish({ deleted: 1200, complete: true });
    (await fake.call(3)).finish(new Error('database unavailable'));
    const fourth = await fake.call(4);
    t.equal(fake.overlapped(), false, 'the next sweep starts only once the previous one has ended');
    t.same(log.lines.map((l) => [l.level, l.msg]), [
      ['info', 'idempotency sweep: 1200 expired records deleted'],
      ['warn', 'idempotency sweep failed; trying again at the next interval'],
    ], 'nothing logged for a sweep that deleted nothing; a failure is a warning, and sweeping goes on');
    t.match(log.lines[0]?.obj, { deleted: 1200, complete: true });
    t.same(sweeper.stats(), { runs: 2, deletedRecords: 1200, failures: 1 });

    // stop() during a sweep: it is asked to stop, awaited, and nothing runs afterwards.
    let stopped = false;
    const stopping = sweeper.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    t.equal(fourth.options.signal?.aborted, true, 'the sweep in progress is asked to stop');
    t.equal(stopped, false, 'stop waits for it');
    fourth.finish({ deleted: 3, complete: false });
    await stopping;
    await new Promise((resolve) => setTimeout(resolve, 30));
    t.equal(fake.calls.length, 4, 'no sweep after stop');
    t.same(sweeper.stats(), { runs: 3, deletedRecords: 1203, failures: 1 });
    sweeper.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    t.equal(fake.calls.length, 4, 'a stopped sweeper does not start again');
  });

  await t.test('stop before the first interval: no sweep at all', async (t) => {
    const fake = scripted();
    const sweeper = new IdempotencySweeper({ sweep: fake.sweep, intervalMs: 20, log: recordingLog() });
    sweeper.start();
    await sweeper.stop();
    await new Promise((resolve) => setTimeout(resolve, 60));
    t.equal(fake.calls.length, 0);
  });
});
