import type { Banking, RateLimitStore } from '@banking/domain';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { AppConfig } from './config.js';
import { clientErrorHandler } from './http/client-errors.js';
import { HttpError } from './http/http-error.js';
import { OneLinePerRequest } from './http/one-line-per-request.js';
import { REDACTED, requestForLog } from './http/redact-query.js';
import { jsonBodyParser } from './http/request-bodies.js';
import { serializerCompiler } from './http/response-serializer.js';
import { validatorCompiler } from './http/validator-compiler.js';
import authPlugin from './plugins/auth.plugin.js';
import corsPlugin from './plugins/cors.plugin.js';
import errorsPlugin, { frameworkErrors } from './plugins/errors.plugin.js';
import metricsPlugin, { type MetricsSource } from './plugins/metrics.plugin.js';
import rateLimitPlugin from './plugins/rate-limit.plugin.js';
import requestIdPlugin, { requestId } from './plugins/request-id.plugin.js';
import swaggerPlugin from './plugins/swagger.plugin.js';
import { accountsRoutes } from './routes/accounts.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { operationsRoutes, type ReadinessCheck } from './routes/operations.routes.js';
import { transactionsRoutes } from './routes/transactions.routes.js';
import { transfersRoutes } from './routes/transfers.routes.js';

export interface AppDeps {
  /** The use cases: the only way into the bank. */
  readonly banking: Banking;
  readonly config: AppConfig;
  readonly rateLimitStore: RateLimitStore;
  /** What /ready asks (database, Redis…). */
  readonly readiness: readonly ReadinessCheck[];
  /** How long /ready waits for each check (default 2000 ms). */
  readonly readinessTimeoutMs?: number;
  /** Figures exported on /metrics (pool, cache…). */
  readonly metricsSources?: readonly MetricsSource[];
  /** false: no logs (tests); a stream: JSON lines there; an instance: that pino logger; default: JSON lines on stdout. */
  readonly logger?: false | { readonly stream: DestinationStream } | { readonly instance: Logger };
  /** Largest accepted request body, in bytes (default 16 KiB). */
  readonly bodyLimit?: number;
}

export const DEFAULT_BODY_LIMIT = 16 * 1024;

/** Paths neither rate limited nor behind the API prefix. */
export function isOperationalPath(path: string): boolean {
  return (
    path === '/health' ||
    path === '/ready' ||
    path === '/metrics' ||
    path === '/openapi.json' ||
    path === '/docs' ||
    path.startsWith('/docs/') ||
    path === '/redoc' ||
    path.startsWith('/redoc/')
  );
}

function isProbe(url: string): boolean {
  return url === '/health' || url === '/ready' || url === '/metrics';
}

/** Log redaction: secrets never reach a log line, whatever gets logged by mistake. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  '*.password',
  'refresh_token',
  '*.refresh_token',
  'access_token',
  '*.access_token',
  'refreshToken',
  '*.refreshToken',
  'secretKey',
  '*.secretKey',
  'client_secret',
  '*.client_secret',
];

/** pino options: JSON lines, secrets redacted (fields by path, query-string values in logged URLs). */
export function loggerOptions(level: string, stream?: DestinationStream) {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    serializers: { req: requestForLog },
    ...(stream !== undefined && { stream }),
  };
}

/**
 * The HTTP API: every route of the contract over the domain's use cases. Returns a ready Fastify
 * instance (call `listen`, or `inject` in tests).
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const prefix = `/api/${config.apiVersion}`;
  const logging =
    deps.logger === false
      ? { logger: false }
      : deps.logger !== undefined && 'instance' in deps.logger
        ? { loggerInstance: deps.logger.instance as FastifyBaseLogger }
        : { logger: loggerOptions(config.logLevel, deps.logger?.stream) };
  const app = Fastify({
    ...logging,
    genReqId: requestId,
    logController: new OneLinePerRequest({
      requestIdLogLabel: 'request_id',
      // Probes and scrapes every few seconds would drown the log.
      disableRequestLogging: (request) => isProbe(request.url),
    }),
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    trustProxy: config.trustProxy,
    frameworkErrors,
    clientErrorHandler,
    // While draining, requests that still arrive on open connections are served (each answer then
    // closes its connection) rather than refused with Fastify's plain 503; /ready says 503 at once.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // Responses go out through their schema (fast-json-stringify): only declared fields, money digit for digit.
  app.setSerializerCompiler(serializerCompiler);
  // Only JSON (and, for /auth/token, forms): text/plain bodies get 415 instead of a string body.
  app.removeContentTypeParser('text/plain');
  // JSON in UTF-8 only, numbers judged on their exact text (0.009999999999999999999 is not 0.01).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBodyParser(app.getDefaultJsonParser('error', 'error')));

  await app.register(requestIdPlugin);
  await app.register(errorsPlugin);
  // Before the rate limit: a preflight is answered (or not) before it could count against the client.
  if (config.corsOrigins.length > 0) await app.register(corsPlugin, { origins: config.corsOrigins });
  await app.register(metricsPlugin, { sources: deps.metricsSources ?? [] });
  await app.register(authPlugin, {
    banking: deps.banking,
    secretKey: config.secretKey,
    algorithm: config.algorithm,
    accessTokenTtlSeconds: config.accessTokenExpireMinutes * 60,
    sessionRecheckMs: config.sessionRecheckMs,
  });
  await app.register(rateLimitPlugin, {
    store: deps.rateLimitStore,
    max: config.rateLimitPerMinute,
    authMax: config.authRateLimitPerMinute,
    exempt: isOperationalPath,
    userOf: (request) => app.accessClaims(request)?.sub ?? null,
  });
  await app.register(swaggerPlugin, { prefix, version: config.apiVersion });

  // A request without a body validates as an empty object ("account_type is required"), while a
  // JSON body that is not an object (null, [], "x") fails as `body`.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && request.method !== 'GET' && request.method !== 'HEAD') request.body = {};
    done();
  });

  app.addHook('onSend', async (request, reply) => {
    // Account data is private: no shared or browser cache may keep it.
    if (request.url.startsWith(`${prefix}/`) && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
  });

  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (request) => {
    throw new HttpError(404, 'not_found', `No route matches ${request.method} ${request.url.split('?', 1)[0] ?? ''}.`);
  });

  // Draining on close: responses finished after close() began end their connection, and sockets
  // that turn idle meanwhile are reaped, so close() resolves once the in-flight requests are done
  // instead of waiting out keep-alive timeouts.
  let closing = false;
  let reaper: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    closing = true;
    reaper = setInterval(() => app.server.closeIdleConnections(), 100);
    reaper.unref();
    done();
  });
  app.addHook('onClose', (_app, done) => {
    clearInterval(reaper);
    done();
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  const routeDeps = { banking: deps.banking };
  await app.register(operationsRoutes, {
    readiness: deps.readiness,
    isClosing: () => closing,
    ...(config.metricsToken !== undefined && { metricsToken: config.metricsToken }),
    ...(deps.readinessTimeoutMs !== undefined && { readinessTimeoutMs: deps.readinessTimeoutMs }),
  });
  await app.register(authRoutes, { ...routeDeps, prefix: `${prefix}/auth` });
  await app.register(
    async (secured) => {
      secured.addHook('preParsing', secured.authenticate);
      await secured.register(accountsRoutes, { ...routeDeps, prefix: '/accounts' });
      await secured.register(transactionsRoutes, { ...routeDeps, prefix: '/accounts' });
      await secured.register(transfersRoutes, { ...routeDeps, prefix: '/transfers' });
    },
    { prefix },
  );

  await app.ready();
  return app;
}
