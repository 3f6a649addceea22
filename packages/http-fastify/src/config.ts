import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { MIN_IDEMPOTENCY_RETENTION_SECONDS } from '@banking/domain';
import { parse as parseDotenv } from 'dotenv';
import Type, { type Static, type TOptional, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

/** SECRET_KEY values published in docs and examples: never acceptable in production. */
export const EXAMPLE_SECRET_KEYS: readonly string[] = [
  'change-me-to-a-long-random-secret',
  'your-secret-key-change-in-production',
  'your-secret-key',
  'secret',
  'changeme',
  'change-me',
];

export const MIN_PRODUCTION_SECRET_LENGTH = 32;

/**
 * Every variable the API reads, declared once: its type, default, bounds and one line of
 * documentation. `.env.example` and the README's configuration table are generated from here
 * (`pnpm config:docs`; a test fails when either differs), so adding a variable is one entry here
 * and, for a rule that spans several variables, a line in `parseConfig`.
 *
 * Annotations beside JSON Schema's own: `sensitive` (the value may hold a secret, such as a
 * password in a URL: an error names the variable but never repeats the value) and `errorMessage`
 * (what a value failing `pattern` or a refined check must be; a refinement may write its own).
 */
export const ENV = {
  ...section('Server', {
    NODE_ENV: Type.Enum(['development', 'production', 'test'], {
      default: 'development',
      description: `production refuses a missing, example or short (< ${MIN_PRODUCTION_SECRET_LENGTH} characters) SECRET_KEY`,
    }),
    HOST: Type.String({ default: '127.0.0.1', description: 'address the API listens on (0.0.0.0: every interface)' }),
    PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'TCP port the API listens on' }),
  }),
  ...section('Database', {
    DATABASE_URL: Type.Optional(
      Type.Refine(
        Type.String({
          sensitive: true,
          errorMessage: 'must be a URL starting with postgres:// or postgresql://',
          examples: ['postgres://user:password@localhost:5432/banking'],
          description: 'a PostgreSQL server; unset: the embedded PostgreSQL (PGlite) stored in DATA_DIR',
        }),
        isUrl(['postgres:', 'postgresql:']),
      ),
    ),
    DATA_DIR: Type.String({
      default: './data',
      description: 'where the embedded PostgreSQL keeps its files (when DATABASE_URL is unset); one process owns it (`owner.lock`): another API, `pnpm migrate` or `pnpm ledger:verify` on it is refused, naming the holder',
    }),
    DB_POOL_MAX: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'connections to the PostgreSQL server, per API process' }),
    DB_PIPELINE: Type.Boolean({
      default: true,
      description: 'BEGIN and COMMIT written with the statement next to them (2 round trips per movement instead of 4); false behind a pooler that cannot take pipelined queries',
    }),
  }),
  ...section('Redis', {
    REDIS_URL: Type.Optional(
      Type.Refine(
        Type.String({
          sensitive: true,
          errorMessage: 'must be a URL starting with redis:// or rediss://',
          examples: ['redis://localhost:6379/0'],
          description: 'a Redis server; unset (and no REDIS_HOST): cache, rate-limit counts and token denylist in the process',
        }),
        isUrl(['redis:', 'rediss:']),
      ),
    ),
    REDIS_HOST: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9.\\-:[\\]]+$',
        errorMessage: 'must be a host name or IP address',
        description: 'when REDIS_URL is unset: the Redis host, with REDIS_PORT and REDIS_DB',
      }),
    ),
    REDIS_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 6379, description: 'Redis port, with REDIS_HOST' }),
    REDIS_DB: Type.Integer({ minimum: 0, maximum: 15, default: 0, description: 'Redis database number, with REDIS_HOST' }),
    REDIS_KEY_PREFIX: Type.String({
      default: 'bank:',
      pattern: '^[\\x21-\\x7e]{1,128}$',
      errorMessage: 'must be 1 to 128 visible ASCII characters',
      description: 'prefix of every Redis key: several deployments (or test runs) can share one Redis without seeing each other',
    }),
    CACHE_TTL_SECONDS: Type.Integer({
      minimum: 0,
      maximum: 86_400,
      default: 60,
      description: "lifetime of a cached account, account list or balance (each movement invalidates its owners' reads when it commits); 0: no read cache",
    }),
  }),
  ...section('Authentication', {
    SECRET_KEY: Type.Optional(
      Type.String({
        sensitive: true,
        description: 'JWT signing key, e.g. `openssl rand -base64 48`; unset outside production: a random key for this run (tokens die with it)',
      }),
    ),
    ALGORITHM: Type.Enum(['HS256', 'HS384', 'HS512'], { default: 'HS256', description: 'JWT signing algorithm, the only one accepted on verify' }),
    ACCESS_TOKEN_EXPIRE_MINUTES: Type.Integer({ minimum: 1, maximum: 24 * 60, default: 30, description: 'lifetime of an access token' }),
    SESSION_RECHECK_MS: Type.Integer({
      minimum: 0,
      maximum: 60_000,
      default: 1000,
      description: 'how long an instance trusts a session it read as live before reading its row again (0: every request); logout is refused at once regardless',
    }),
    REFRESH_TOKEN_EXPIRE_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 7, description: 'lifetime of a refresh token' }),
  }),
  ...section('Rate limits', {
    RATE_LIMIT_PER_MINUTE: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 60,
      description: 'requests per minute per client (per user when authenticated, per IP otherwise)',
    }),
    AUTH_RATE_LIMIT_PER_MINUTE: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 10,
      description: 'auth endpoints (register, login, token, refresh) per minute per IP, and login attempts per email',
    }),
  }),
  ...section('API', {
    API_VERSION: Type.String({ default: 'v1', pattern: '^v[0-9]+$', errorMessage: 'must be v and a number, like v1', description: 'base path `/api/<API_VERSION>`' }),
    DEBUG: Type.Boolean({ default: false, description: 'debug logs (LOG_LEVEL info becomes debug)' }),
    LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info', description: 'lowest level logged' }),
    API_WORKERS: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 1,
      description: 'processes serving the port (more than 1 needs DATABASE_URL); a crashed worker is restarted after a delay doubling from 250 ms to 30 s, and the primary exits 1 when workers cannot start at all',
    }),
    MAX_AMOUNT: Type.Integer({
      minimum: 1,
      maximum: 1_000_000_000_000,
      default: 1_000_000_000,
      description: 'largest amount one deposit, withdrawal or transfer may carry, in major units',
    }),
    TRUST_PROXY: Type.Boolean({ default: false, description: 'true behind a reverse proxy: the client IP (for rate limits) comes from X-Forwarded-For' }),
    CORS_ORIGINS: Type.Array(Type.Refine(Type.String(), isOrigin, notAnOrigin), {
      default: [],
      sensitive: true,
      examples: ['https://app.example.com,http://localhost:5173'],
      description: 'browser origins allowed to call the API, comma-separated, exactly as browsers send them (no path, no trailing slash); unset: none. Never with credentials',
    }),
    METRICS_TOKEN: Type.Optional(
      Type.String({
        sensitive: true,
        pattern: '^[\\x21-\\x7e]{16,512}$',
        errorMessage: 'must be 16 to 512 visible ASCII characters without spaces, e.g. `openssl rand -hex 32`',
        description: 'bearer token `/metrics` requires (`Authorization: Bearer <METRICS_TOKEN>`, compared in constant time); unset: `/metrics` is public (keep it on a private network then)',
      }),
    ),
  }),
  ...section('Idempotency', {
    IDEMPOTENCY_RETENTION_HOURS: Type.Integer({
      minimum: MIN_IDEMPOTENCY_RETENTION_SECONDS / 3600,
      maximum: 24 * 366,
      default: 24,
      description: "how long an Idempotency-Key's outcome is replayed and kept (24 at least: the contract)",
    }),
    IDEMPOTENCY_SWEEP_INTERVAL_SECONDS: Type.Integer({
      minimum: 1,
      maximum: 86_400,
      default: 600,
      description: 'pause between two sweeps deleting the records past that retention (every instance sweeps; each record is deleted once)',
    }),
  }),
};

export type EnvName = keyof typeof ENV;

/** What a declaration reads as: its static type, or undefined when it is optional and unset. */
type EnvValue<S extends TSchema> = S extends TOptional ? Static<S> | undefined : Static<S>;
/** `DB_POOL_MAX` → `dbPoolMax`. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}` : Lowercase<S>;
type EnvValues = { -readonly [Name in EnvName]: EnvValue<(typeof ENV)[Name]> };

/**
 * Everything the API reads from its environment, validated: each variable under its camelCase
 * name (`DB_POOL_MAX` → `dbPoolMax`), with what `parseConfig` derives from several of them.
 */
export type AppConfig = { readonly [Name in Exclude<EnvName, 'SECRET_KEY'> as CamelCase<Name>]: EnvValues[Name] } & {
  /** From REDIS_URL, or built from REDIS_HOST/REDIS_PORT/REDIS_DB; undefined: in-process stores. */
  readonly redisUrl: string | undefined;
  /** SECRET_KEY, or a random key made for this process when it is unset outside production. */
  readonly secretKey: string;
  readonly secretKeyGenerated: boolean;
  /** LOG_LEVEL, lowered to debug by DEBUG. */
  readonly logLevel: EnvValues['LOG_LEVEL'];
};

export type NodeEnv = AppConfig['nodeEnv'];
export type JwtAlgorithm = AppConfig['algorithm'];

/** Invalid configuration: one line per bad variable, each naming it. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Defaults to process.env. Variables set here win over the .env file. */
  readonly env?: NodeJS.ProcessEnv;
  /** Defaults to `.env` in the working directory; ignored when missing. */
  readonly envFile?: string | false;
}

export interface LoadedConfig {
  readonly config: AppConfig;
  /** Things worth a warning at start-up (e.g. a generated SECRET_KEY). */
  readonly warnings: readonly string[];
}

/** Reads the environment (and `.env`), validates every variable, and throws ConfigError listing each bad one. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const file = options.envFile === undefined ? '.env' : options.envFile;
  const fromFile = file !== false && existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return parseConfig({ ...fromFile, ...definedOnly(env) });
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}

/**
 * Validates a plain map of variables (no file, no process.env): each one against its declaration
 * (an empty value is an unset one), then the rules that span several.
 */
export function parseConfig(vars: Readonly<Record<string, string | undefined>>): LoadedConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const read: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(ENV) as [EnvName, TSchema][]) {
    const text = vars[name]?.trim() ?? '';
    const value = text === '' ? undefined : fromText(schema, text);
    if (value === undefined || Value.Check(schema, value)) {
      read[name] = value ?? defaultOf(schema);
    } else {
      problems.push(problem(name, schema, text, value));
      // The default stands in, so the rules below still run on something sensible.
      read[name] = defaultOf(schema);
    }
  }
  const env = read as EnvValues;

  let redisUrl = env.REDIS_URL;
  if (redisUrl === undefined && env.REDIS_HOST !== undefined) {
    const host = env.REDIS_HOST.includes(':') && !env.REDIS_HOST.startsWith('[') ? `[${env.REDIS_HOST}]` : env.REDIS_HOST;
    redisUrl = `redis://${host}:${env.REDIS_PORT}/${env.REDIS_DB}`;
  }

  let secretKey = env.SECRET_KEY;
  if (env.NODE_ENV === 'production') {
    if (secretKey === undefined) {
      problems.push('SECRET_KEY: required when NODE_ENV=production (a long random string, e.g. `openssl rand -base64 48`)');
    } else if (EXAMPLE_SECRET_KEYS.includes(secretKey.toLowerCase())) {
      problems.push('SECRET_KEY: is an example value; set a long random secret when NODE_ENV=production');
    } else if (secretKey.length < MIN_PRODUCTION_SECRET_LENGTH) {
      problems.push(`SECRET_KEY: must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters when NODE_ENV=production`);
    }
  }
  const secretKeyGenerated = secretKey === undefined;
  if (secretKey === undefined) {
    secretKey = randomBytes(48).toString('base64url');
    if (env.NODE_ENV !== 'production') {
      warnings.push('SECRET_KEY is not set: using a random key for this process only (tokens will not survive a restart).');
    }
  }

  if (env.API_WORKERS > 1 && env.DATABASE_URL === undefined) {
    problems.push('API_WORKERS: more than 1 worker needs DATABASE_URL (the embedded database serves one process)');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  const config: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) config[camelCase(name)] = value;
  Object.assign(config, {
    redisUrl,
    secretKey,
    secretKeyGenerated,
    logLevel: env.DEBUG && env.LOG_LEVEL === 'info' ? 'debug' : env.LOG_LEVEL,
  });
  return { config: config as AppConfig, warnings };
}

// ── How a declaration is read ────────────────────────────────────────────────────────────────

interface Annotations {
  readonly default?: unknown;
  readonly sensitive?: boolean;
  readonly errorMessage?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly unknown[];
}

/** Tags each declaration with its heading in .env.example. */
function section<Vars extends Record<string, TSchema>>(title: string, vars: Vars): Vars {
  for (const schema of Object.values(vars)) (schema as { section?: string }).section = title;
  return vars;
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/**
 * Text into the declared type, strictly: an integer is digits only (`1.5`, `1e3`, `-5`, `0x10`
 * stay text and fail the check), a boolean one of true/1/yes/on or false/0/no/off, a list
 * comma-separated.
 */
function fromText(schema: TSchema, text: string): unknown {
  if (Type.IsInteger(schema)) return /^\d+$/.test(text) ? Number(text) : text;
  if (Type.IsBoolean(schema)) {
    const word = text.toLowerCase();
    return TRUE.includes(word) ? true : FALSE.includes(word) ? false : text;
  }
  if (Type.IsArray(schema)) return text.split(',').map((entry) => entry.trim());
  return text;
}

function defaultOf(schema: TSchema): unknown {
  const { default: value } = schema as Annotations;
  return Array.isArray(value) ? [...(value as unknown[])] : value;
}

/** One line naming the variable; the value is repeated only when it cannot hold a secret. */
function problem(name: EnvName, schema: TSchema, text: string, value: unknown): string {
  const { sensitive, errorMessage } = schema as Annotations;
  const message = errorMessage ?? Value.Errors(schema, value).find((error) => error.keyword === '~refine')?.message ?? expected(schema);
  return sensitive ? `${name}: ${message}` : `${name}=${JSON.stringify(text)}: ${message}`;
}

/** What a value of this declaration must be, in words. */
function expected(schema: TSchema): string {
  const { minimum, maximum, enum: values } = schema as Annotations;
  if (Type.IsInteger(schema)) return `must be an integer from ${minimum} to ${maximum}`;
  if (Type.IsBoolean(schema)) return 'must be true or false';
  if (values !== undefined) return `must be one of ${values.join(', ')}`;
  return 'is not valid';
}

function isUrl(protocols: readonly string[]): (text: string) => boolean {
  return (text) => {
    try {
      return protocols.includes(new URL(text).protocol);
    } catch {
      return false;
    }
  };
}

/** An origin exactly as browsers send it in `Origin`: scheme, lower-case host, port only when not the default. */
function isOrigin(entry: string): boolean {
  try {
    const parsed = new URL(entry);
    return ['http:', 'https:'].includes(parsed.protocol) && parsed.origin === entry;
  } catch {
    return false;
  }
}

function notAnOrigin(entry: string): string {
  // Shown only when it cannot carry a password (user:password@host is not an origin either).
  const shown = entry.includes('@') ? 'an entry' : JSON.stringify(entry);
  return `${shown} is not an origin; list origins as browsers send them, comma-separated, e.g. https://app.example.com,http://localhost:5173 (scheme, lower-case host, port only when not the default; no path or trailing slash)`;
}

function camelCase(name: string): string {
  return name.toLowerCase().replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
