import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, ENV_DEFAULTS, loadConfig, parseConfig } from '../src/index.js';

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

  await t.test('.env.example lists every variable with its default', async (t) => {
    const { readFileSync } = await import('node:fs');
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const listed = new Map(
      example
        .split('\n')
        .map((line) => /^#?\s*([A-Z_]+)=(.*)$/.exec(line.trim()))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, m[2]!]),
    );
    for (const [name, value] of Object.entries(ENV_DEFAULTS)) {
      t.ok(listed.has(name), `${name} listed`);
      if (value !== '') t.equal(listed.get(name), value, `${name} default`);
    }
  });
});
