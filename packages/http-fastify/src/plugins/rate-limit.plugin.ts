import fastifyRateLimit from '@fastify/rate-limit';
import type { RateLimitStore } from '@banking/domain';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../http/http-error.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Rate-limit config for the auth routes: `authMax` per minute per IP, one count for all of them. */
    readonly authRateLimit: { max: number; timeWindow: number; keyGenerator(request: FastifyRequest): string };
    /** Counts a login attempt against its (normalised) email; 429 past `authMax` a minute. */
    limitLoginAttempts(request: FastifyRequest, reply: FastifyReply, email: string): Promise<void>;
  }
}

export interface RateLimitPluginOptions {
  readonly store: RateLimitStore;
  /** Requests per window per client (per user when authenticated, per IP otherwise). */
  readonly max: number;
  /** Stricter limit on the auth routes, per IP and per email. */
  readonly authMax: number;
  readonly windowMs?: number;
  /** Paths never limited (operations and docs). */
  readonly exempt: (path: string) => boolean;
  /** The authenticated user id of a request, if its bearer token is valid. */
  readonly userOf: (request: FastifyRequest) => string | null;
}

/** @fastify/rate-limit's custom store interface, bridged to the RateLimitStore port. */
function bridgeStore(store: RateLimitStore) {
  return class PortStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      store.hit(key, timeWindow).then(
        (result) => callback(null, { current: result.count, ttl: Math.max(0, result.resetInMs) }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    child(): this {
      return this;
    }
  };
}

function retryIn(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

async function rateLimitPlugin(app: FastifyInstance, options: RateLimitPluginOptions): Promise<void> {
  const windowMs = options.windowMs ?? 60_000;
  const tooMany = (seconds: number) =>
    new HttpError(429, 'rate_limited', `Too many requests: retry in ${seconds} second${seconds === 1 ? '' : 's'}.`);

  await app.register(fastifyRateLimit, {
    global: true,
    max: options.max,
    timeWindow: windowMs,
    hook: 'onRequest',
    enableDraftSpec: true,
    store: bridgeStore(options.store),
    // The store never fails by contract (a Redis outage is counted per instance inside its
    // adapter); if one ever did, the request goes through rather than failing.
    skipOnError: true,
    keyGenerator: (request) => {
      const user = options.userOf(request);
      return user === null ? `rl:ip:${request.ip}` : `rl:user:${user}`;
    },
    allowList: (request) => options.exempt(request.url.split('?', 1)[0] ?? ''),
    errorResponseBuilder: (_request, context) => tooMany(retryIn(context.ttl)),
  });

  app.decorate('authRateLimit', {
    max: options.authMax,
    timeWindow: windowMs,
    keyGenerator: (request: FastifyRequest) => `rl:auth-ip:${request.ip}`,
  });

  app.decorate('limitLoginAttempts', async (_request: FastifyRequest, reply: FastifyReply, email: string) => {
    let counted;
    try {
      counted = await options.store.hit(`rl:auth-email:${email.trim().toLowerCase()}`, windowMs);
    } catch (error) {
      app.log.warn({ err: error }, 'rate-limit store failed: login attempt not counted');
      return; // as skipOnError does for every route: a broken store never turns into a 500
    }
    const { count: attempts, resetInMs } = counted;
    if (attempts <= options.authMax) return;
    const seconds = retryIn(resetInMs);
    reply.header('ratelimit-limit', options.authMax);
    reply.header('ratelimit-remaining', 0);
    reply.header('ratelimit-reset', seconds);
    reply.header('retry-after', seconds);
    throw tooMany(seconds);
  });
}

export default fp(rateLimitPlugin, { name: 'banking-rate-limit', fastify: '5.x' });
