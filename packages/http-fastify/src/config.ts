import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { MIN_IDEMPOTENCY_RETENTION_SECONDS } from '@banking/domain';
import { parse as parseDotenv } from 'dotenv';

export type NodeEnv = 'development' | 'production' | 'test';
export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512';

/** Everything the API reads from its environment, validated. */
export interface AppConfig {
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  readonly port: number;
  /** Where the embedded PostgreSQL (PGlite) keeps its files when there is no DATABASE_URL. */
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly dbPoolMax: number;
  /** BEGIN and COMMIT written with the statement next to them (off for poolers that cannot take pipelined queries). */
  readonly dbPipeline: boolean;
  /** From REDIS_URL, or built from REDIS_HOST/REDIS_PORT/REDIS_DB; undefined: in-process stores. */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key (several deployments, or tests, can share one Redis). */
  readonly redisKeyPrefix: string;
  /** How long a cached read (account, list, balance) may live; 0: no read cache at all. */
  readonly cacheTtlSeconds: number;
  readonly secretKey: string;
  /** True when no SECRET_KEY was given and a random one was made for this process (development). */
  readonly secretKeyGenerated: boolean;
  readonly algorithm: JwtAlgorithm;
  readonly accessTokenExpireMinutes: number;
  /** How long an instance trusts a session it read as live before reading its row again (0: every request). */
  readonly sessionRecheckMs: number;
  readonly refreshTokenExpireDays: number;
  readonly rateLimitPerMinute: number;
  readonly authRateLimitPerMinute: number;
  readonly apiVersion: string;
  readonly debug: boolean;
  readonly logLevel: string;
  readonly apiWorkers: number;
  /** Largest amount one movement may carry, in major units. */
  readonly maxAmount: number;
  /** Trust X-Forwarded-For (behind a reverse proxy) to find the client's IP. */
  readonly trustProxy: boolean;
  /** Browser origins (scheme://host[:port]) allowed to call the API (CORS); empty: none. */
  readonly corsOrigins: readonly string[];
  /** Bearer token /metrics requires; undefined: /metrics is public. */
  readonly metricsToken: string | undefined;
  /** How long an Idempotency-Key's outcome is replayed and kept (at least 24 h: the contract). */
  readonly idempotencyRetentionHours: number;
  /** Pause between two sweeps of the expired Idempotency-Key records (each instance sweeps). */
  readonly idempotencySweepIntervalSeconds: number;
}

/** Every variable with its default ('' = unset), in the order .env.example lists them. */
export const ENV_DEFAULTS = {
  NODE_ENV: 'development',
  HOST: '127.0.0.1',
  PORT: '3000',
  DATA_DIR: './data',
  DATABASE_URL: '',
  DB_POOL_MAX: '10',
  DB_PIPELINE: 'true',
  REDIS_URL: '',
  REDIS_HOST: '',
  REDIS_PORT: '6379',
  REDIS_DB: '0',
  REDIS_KEY_PREFIX: 'bank:',
  CACHE_TTL_SECONDS: '60',
  SECRET_KEY: '',
  ALGORITHM: 'HS256',
  ACCESS_TOKEN_EXPIRE_MINUTES: '30',
  SESSION_RECHECK_MS: '1000',
  REFRESH_TOKEN_EXPIRE_DAYS: '7',
  RATE_LIMIT_PER_MINUTE: '60',
  AUTH_RATE_LIMIT_PER_MINUTE: '10',
  API_VERSION: 'v1',
  DEBUG: 'false',
  LOG_LEVEL: 'info',
  API_WORKERS: '1',
  MAX_AMOUNT: '1000000000',
  TRUST_PROXY: 'false',
  CORS_ORIGINS: '',
  METRICS_TOKEN: '',
  IDEMPOTENCY_RETENTION_HOURS: '24',
  IDEMPOTENCY_SWEEP_INTERVAL_SECONDS: '600',
} as const;

export type EnvName = keyof typeof ENV_DEFAULTS;

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

/** Validates a plain map of variables (no file, no process.env). */
export function parseConfig(vars: Readonly<Record<string, string | undefined>>): LoadedConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const raw = (name: EnvName): string => {
    const value = vars[name]?.trim();
    return value === undefined || value === '' ? ENV_DEFAULTS[name] : value;
  };
  const optional = (name: EnvName): string | undefined => {
    const value = raw(name);
    return value === '' ? undefined : value;
  };
  const integer = (name: EnvName, min: number, max: number): number => {
    const text = raw(name);
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(text)}: must be an integer from ${min} to ${max}`);
      return Number(ENV_DEFAULTS[name]);
    }
    return value;
  };
  const boolean = (name: EnvName): boolean => {
    const text = raw(name).toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    problems.push(`${name}=${JSON.stringify(raw(name))}: must be true or false`);
    return false;
  };
  const oneOf = <T extends string>(name: EnvName, allowed: readonly T[]): T => {
    const text = raw(name);
    if ((allowed as readonly string[]).includes(text)) return text as T;
    problems.push(`${name}=${JSON.stringify(text)}: must be one of ${allowed.join(', ')}`);
    return ENV_DEFAULTS[name] as T;
  };
  const url = (name: EnvName, protocols: readonly string[]): string | undefined => {
    const text = optional(name);
    if (text === undefined) return undefined;
    let protocol = '';
    try {
      protocol = new URL(text).protocol;
    } catch {
      // reported below
    }
    if (!protocols.includes(protocol)) {
      problems.push(`${name}: must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      return undefined;
    }
    return text;
  };
  /** A comma-separated list of origins exactly as browsers send them in `Origin`. */
  const origins = (name: EnvName): string[] => {
    const text = optional(name);
    if (text === undefined) return [];
    const list = text.split(',').map((entry) => entry.trim());
    const bad = list.find((entry) => {
      try {
        const parsed = new URL(entry);
        return !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== entry;
      } catch {
        return true;
      }
    });
    if (bad === undefined) return list;
    // Shown only when it cannot carry a password (user:password@host is not an origin either).
    const shown = bad.includes('@') ? 'an entry' : JSON.stringify(bad);
    problems.push(`${name}: ${shown} is not an origin; list origins as browsers send them, comma-separated, e.g. https://app.example.com,http://localhost:5173 (scheme, lower-case host, port only when not the default; no path or trailing slash)`);
    return [];
  };

  const nodeEnv = oneOf<NodeEnv>('NODE_ENV', ['development', 'production', 'test']);
  const host = raw('HOST');
  const port = integer('PORT', 0, 65535);
  const dataDir = raw('DATA_DIR');
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const dbPoolMax = integer('DB_POOL_MAX', 1, 1000);
  const dbPipeline = boolean('DB_PIPELINE');

  let redisUrl = url('REDIS_URL', ['redis:', 'rediss:']);
  const redisPort = integer('REDIS_PORT', 1, 65535);
  const redisDb = integer('REDIS_DB', 0, 15);
  const redisHost = optional('REDIS_HOST');
  if (redisUrl === undefined && redisHost !== undefined) {
    if (!/^[A-Za-z0-9.\-:[\]]+$/.test(redisHost)) problems.push(`REDIS_HOST=${JSON.stringify(redisHost)}: must be a host name or IP address`);
    else redisUrl = `redis://${redisHost.includes(':') && !redisHost.startsWith('[') ? `[${redisHost}]` : redisHost}:${redisPort}/${redisDb}`;
  }
  const redisKeyPrefix = raw('REDIS_KEY_PREFIX');
  if (!/^[\x21-\x7e]{1,128}$/.test(redisKeyPrefix)) problems.push(`REDIS_KEY_PREFIX=${JSON.stringify(redisKeyPrefix)}: must be 1 to 128 visible ASCII characters`);

  const cacheTtlSeconds = integer('CACHE_TTL_SECONDS', 0, 86_400);

  const algorithm = oneOf<JwtAlgorithm>('ALGORITHM', ['HS256', 'HS384', 'HS512']);
  let secretKey = optional('SECRET_KEY');
  let secretKeyGenerated = false;
  if (nodeEnv === 'production') {
    if (secretKey === undefined) {
      problems.push('SECRET_KEY: required when NODE_ENV=production (a long random string, e.g. `openssl rand -base64 48`)');
    } else if (EXAMPLE_SECRET_KEYS.includes(secretKey.toLowerCase())) {
      problems.push('SECRET_KEY: is an example value; set a long random secret when NODE_ENV=production');
    } else if (secretKey.length < MIN_PRODUCTION_SECRET_LENGTH) {
      problems.push(`SECRET_KEY: must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters when NODE_ENV=production`);
    }
  }
  if (secretKey === undefined) {
    secretKey = randomBytes(48).toString('base64url');
    secretKeyGenerated = true;
    if (nodeEnv !== 'production') {
      warnings.push('SECRET_KEY is not set: using a random key for this process only (tokens will not survive a restart).');
    }
  }

  const accessTokenExpireMinutes = integer('ACCESS_TOKEN_EXPIRE_MINUTES', 1, 24 * 60);
  const sessionRecheckMs = integer('SESSION_RECHECK_MS', 0, 60_000);
  const refreshTokenExpireDays = integer('REFRESH_TOKEN_EXPIRE_DAYS', 1, 365);
  const rateLimitPerMinute = integer('RATE_LIMIT_PER_MINUTE', 1, 1_000_000);
  const authRateLimitPerMinute = integer('AUTH_RATE_LIMIT_PER_MINUTE', 1, 1_000_000);
  const apiVersion = raw('API_VERSION');
  if (!/^v[0-9]+$/.test(apiVersion)) problems.push(`API_VERSION=${JSON.stringify(apiVersion)}: must look like v1`);
  const debug = boolean('DEBUG');
  const logLevel = oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
  const apiWorkers = integer('API_WORKERS', 1, 64);
  if (apiWorkers > 1 && databaseUrl === undefined) {
    problems.push('API_WORKERS: more than 1 worker needs DATABASE_URL (the embedded database serves one process)');
  }
  const maxAmount = integer('MAX_AMOUNT', 1, 1_000_000_000_000);
  const trustProxy = boolean('TRUST_PROXY');
  const corsOrigins = origins('CORS_ORIGINS');
  const metricsToken = optional('METRICS_TOKEN');
  // The value is a secret: the message never repeats it.
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,512}$/.test(metricsToken)) {
    problems.push('METRICS_TOKEN: must be 16 to 512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)');
  }
  const idempotencyRetentionHours = integer('IDEMPOTENCY_RETENTION_HOURS', MIN_IDEMPOTENCY_RETENTION_SECONDS / 3600, 24 * 366);
  const idempotencySweepIntervalSeconds = integer('IDEMPOTENCY_SWEEP_INTERVAL_SECONDS', 1, 86_400);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    config: {
      nodeEnv,
      host,
      port,
      dataDir,
      databaseUrl,
      dbPoolMax,
      dbPipeline,
      redisUrl,
      redisKeyPrefix,
      cacheTtlSeconds,
      secretKey,
      secretKeyGenerated,
      algorithm,
      accessTokenExpireMinutes,
      sessionRecheckMs,
      refreshTokenExpireDays,
      rateLimitPerMinute,
      authRateLimitPerMinute,
      apiVersion,
      debug,
      logLevel: debug && logLevel === 'info' ? 'debug' : logLevel,
      apiWorkers,
      maxAmount,
      trustProxy,
      corsOrigins,
      metricsToken,
      idempotencyRetentionHours,
      idempotencySweepIntervalSeconds,
    },
    warnings,
  };
}
