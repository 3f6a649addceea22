import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { Type } from 'typebox';
import { HttpError } from '../http/http-error.js';
import { sendProblem } from '../plugins/errors.plugin.js';
import { problems } from '../schemas/common.schema.js';

/** A dependency /ready asks about. `check` rejects (or takes too long) when it does not answer. */
export interface ReadinessCheck {
  readonly name: string;
  /**
   * True when the API still serves everything without it (Redis: PostgreSQL answers instead). Its
   * failure makes /ready 200 "degraded" rather than 503, so a load balancer keeps the instance.
   */
  readonly optional?: boolean;
  check(): Promise<void>;
}

export interface OperationsDeps {
  readonly readiness: readonly ReadinessCheck[];
  readonly readinessTimeoutMs?: number;
  /** True once shutdown began: /ready answers 503 so that load balancers stop sending traffic. */
  readonly isClosing?: () => boolean;
  /** When set, /metrics answers only requests with `Authorization: Bearer <metricsToken>`. */
  readonly metricsToken?: string;
}

const tags = ['operations'];

async function probe(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Checks `Authorization: Bearer <token>` in constant time (digests: equal lengths whatever was sent). */
function bearerGuard(token: string) {
  const expected = digest(token);
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const token = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token !== undefined && timingSafeEqual(digest(token), expected)) {
      done();
      return;
    }
    done(new HttpError(401, 'unauthorized', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.', { 'www-authenticate': 'Bearer realm="metrics"' }));
  };
}

/** /health, /ready, /metrics and /openapi.json: outside the API prefix, never rate limited. */
// eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: avvio fails register() on a rejection, while a synchronous throw escapes it
export const operationsRoutes: FastifyPluginAsyncTypebox<OperationsDeps> = async (app, deps) => {
  app.get(
    '/health',
    {
      schema: {
        tags,
        summary: 'Liveness: 200 while the process runs',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags,
        summary: 'Readiness: 200 "ready" when every dependency answers, 200 "degraded" when only Redis does not, 503 naming the database when it does not',
        description:
          'Without Redis the API still serves everything from PostgreSQL (slower): the instance stays in the load balancer ' +
          'and `checks` names what is down. Without the database, or once shutdown began, 503 `not_ready`.',
        response: {
          200: Type.Object({
            status: Type.String({ enum: ['ready', 'degraded'], examples: ['ready'] }),
            checks: Type.Record(Type.String(), Type.String({ enum: ['ok', 'down'] }), { examples: [{ database: 'ok', redis: 'ok' }] }),
          }),
          ...problems(503),
        },
      },
    },
    async (_request, reply) => {
      if (deps.isClosing?.()) return sendProblem(reply, { code: 'not_ready', detail: 'Not ready: shutting down.', failing: ['shutdown'], checks: {} });
      const timeoutMs = deps.readinessTimeoutMs ?? 2000;
      const results = await Promise.all(deps.readiness.map(async (c) => ({ check: c, ok: await probe(c, timeoutMs) })));
      const checks = Object.fromEntries(results.map(({ check, ok }) => [check.name, ok ? ('ok' as const) : ('down' as const)]));
      const failing = results.filter(({ check, ok }) => !ok && check.optional !== true).map(({ check }) => check.name);
      if (failing.length > 0) return sendProblem(reply, { code: 'not_ready', detail: `Not ready: ${failing.join(', ')} unavailable.`, failing, checks });
      return reply.send({ status: results.every(({ ok }) => ok) ? ('ready' as const) : ('degraded' as const), checks });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags,
        summary: 'Prometheus metrics',
        description: 'With METRICS_TOKEN set, only with `Authorization: Bearer <METRICS_TOKEN>` (else 401).',
        produces: ['text/plain'],
        response: { 200: { type: 'string' }, ...problems(401) },
      },
      ...(deps.metricsToken !== undefined && { onRequest: bearerGuard(deps.metricsToken) }),
    },
    async (_request, reply) => {
      const text = await app.renderMetrics();
      return reply.type(app.metricsRegistry.contentType).send(text);
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
};
