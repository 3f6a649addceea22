/** @banking/http-fastify — the HTTP API (buildApp), its configuration and the runtime adapters. */
export { buildApp, DEFAULT_BODY_LIMIT, isOperationalPath, REDACTED_PATHS, type AppDeps } from './app.js';
export { ConfigError, ENV_DEFAULTS, loadConfig, parseConfig, type AppConfig, type LoadedConfig } from './config.js';
export type { MetricsSource } from './plugins/metrics.plugin.js';
export type { AccessClaims, AuthUser } from './plugins/auth.plugin.js';
export type { ReadinessCheck } from './routes/operations.routes.js';
export { CryptoRandomSource } from './runtime/crypto-random-source.js';
export { DEFAULT_SCRYPT_COST, ScryptHasher, type ScryptCost } from './runtime/scrypt-hasher.js';
export { Sha256Digest } from './runtime/sha256-digest.js';
export { SystemClock } from './runtime/system-clock.js';
export { UuidIds } from './runtime/uuid-ids.js';
