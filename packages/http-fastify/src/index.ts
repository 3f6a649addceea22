/** @banking/http-fastify — the HTTP API (buildApp), and its configuration. */
export { buildApp, DEFAULT_BODY_LIMIT, isOperationalPath, REDACTED_PATHS, type AppDeps } from './app.js';
export { ConfigError, ENV, loadConfig, parseConfig, type AppConfig, type EnvName, type LoadedConfig } from './config.js';
export type { MetricsSource } from './plugins/metrics.plugin.js';
export type { AccessClaims, AuthUser } from './plugins/auth.plugin.js';
export type { ReadinessCheck } from './routes/operations.routes.js';
