import fastifyRateLimit from '@fastify/rate-limit';
import type { RateLimitCount, RateLimitStore } from '@banking/domain';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
  /** How long a store call may take before the in-process count is used instead. */
  readonly storeTimeoutMs?: number;
}

/** Per-process fixed windows: what counts when the shared store fails. */
class LocalWindows {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  hit(key: string, windowMs: number): RateLimitCount {
    const now = Date.now();
    let window = this.windows.get(key);
    if (window === undefined || window.endsAt <= now) {
      if (this.windows.size >= 50_000) for (const [k, w] of this.windows) if (w.endsAt <= now) this.windows.delete(k);
      window = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    return { count: window.count, resetInMs: window.endsAt - now };
  }
}

/** A counter that never fails: the shared store, or the process's own count when the store errs or stalls. */
function failOpenCounter(store: RateLimitStore, timeoutMs: number, log: FastifyBaseLogger) {
  const local = new LocalWindows();
  let warned = 0;
  return async (key: string, windowMs: number): Promise<RateLimitCount> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`rate-limit store timed out after ${timeoutMs} ms`)), timeoutMs);
      });
      const counted = await Promise.race([store.hit(key, windowMs), timeout]);
      if (!Number.isFinite(counted.count) || !Number.isFinite(counted.resetInMs)) throw new Error('rate-limit store gave no count');
      return counted;
    } catch (error) {
      if (Date.now() - warned > 10_000) {
        warned = Date.now();
        log.warn({ err: error }, 'rate-limit store failed; counting in this process');
      }
      return local.hit(key, windowMs);
    } finally {
      clearTimeout(timer);
    }
  };
}

type Counter = ReturnType<typeof failOpenCounter>;

/** @fastify/rate-limit's custom store interface, bridged to the RateLimitStore port. */
function bridgeStore(count: Counter) {
  return class PortStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      count(key, timeWindow).then(
        (result) => callback(null, { current: result.count, ttl: Math.max(0, result.resetInMs) }),
        (error: Error) => callback(error),
      );
    }

    child(): PortStore {
      return this;
    }
  };
}

function retryIn(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

async function rateLimitPlugin(app: FastifyInstance, options: RateLimitPluginOptions): Promise<void> {
  const windowMs = options.windowMs ?? 60_000;
  const count = failOpenCounter(options.store, options.storeTimeoutMs ?? 1000, app.log);
  const tooMany = (seconds: number) =>
    new HttpError(429, 'rate_limited', `Too many requests: retry in ${seconds} second${seconds === 1 ? '' : 's'}.`);

  await app.register(fastifyRateLimit, {
    global: true,
    max: options.max,
    timeWindow: windowMs,
    hook: 'onRequest',
    enableDraftSpec: true,
    store: bridgeStore(count) as never,
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
    const { count: attempts, resetInMs } = await count(`rl:auth-email:${email.trim().toLowerCase()}`, windowMs);
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
