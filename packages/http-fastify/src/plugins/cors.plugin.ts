import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface CorsPluginOptions {
  /** Exact origins (scheme://host[:port]) allowed to call the API from a browser. */
  readonly origins: readonly string[];
}

/** What a browser client sends beyond the CORS-safelisted headers. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'];

/** What a browser client must be able to read: request id, rate limits, replays, auth challenges. */
export const CORS_EXPOSED_HEADERS = [
  'X-Request-Id',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
  'Idempotent-Replayed',
  'WWW-Authenticate',
];

/**
 * CORS for the configured origins only. Another origin (or none) gets no CORS header at all and its
 * preflight is not answered (404), so the browser keeps the response from the page. Tokens travel
 * in the Authorization header, never in cookies: credentials are not allowed.
 */
async function corsPlugin(app: FastifyInstance, options: CorsPluginOptions): Promise<void> {
  const allowed = new Set(options.origins);
  await app.register(fastifyCors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
    // An OPTIONS from an allowed origin without Access-Control-Request-Method is answered like a
    // preflight rather than with the plugin's text/plain 400 (every error here is problem+json).
    strictPreflight: false,
  });
}

export default fp(corsPlugin, { name: 'banking-cors', fastify: '5.x' });
