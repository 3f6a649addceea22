import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sendProblem } from '../plugins/errors.plugin.js';
import { problems } from '../schemas/common.schema.js';

/** A dependency /ready asks about. `check` rejects (or takes too long) when it does not answer. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface OperationsDeps {
  readonly readiness: readonly ReadinessCheck[];
  readonly readinessTimeoutMs?: number;
  /** True once shutdown began: /ready answers 503 so that load balancers stop sending traffic. */
  readonly isClosing?: () => boolean;
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

/** /health, /ready, /metrics and /openapi.json: outside the API prefix, never rate limited. */
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
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags,
        summary: 'Readiness: 200 when the database (and Redis, when configured) answer; else 503 naming the failing one',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), checks: Type.Record(Type.String(), Type.String({ examples: ['ok'] })) }),
          ...problems(503),
        },
      },
    },
    async (_request, reply) => {
      if (deps.isClosing?.()) return sendProblem(reply, { code: 'not_ready', detail: 'Not ready: shutting down.', failing: ['shutdown'], checks: {} });
      const timeoutMs = deps.readinessTimeoutMs ?? 2000;
      const results = await Promise.all(deps.readiness.map(async (c) => [c.name, await probe(c, timeoutMs)] as const));
      const checks = Object.fromEntries(results.map(([name, ok]) => [name, ok ? 'ok' : 'unavailable']));
      const failing = results.filter(([, ok]) => !ok).map(([name]) => name);
      if (failing.length === 0) return reply.send({ status: 'ready' as const, checks });
      return sendProblem(reply, { code: 'not_ready', detail: `Not ready: ${failing.join(', ')} unavailable.`, failing, checks });
    },
  );

  app.get(
    '/metrics',
    { schema: { tags, summary: 'Prometheus metrics', produces: ['text/plain'], response: { 200: { type: 'string' } } } },
    async (_request, reply) => {
      const text = await app.renderMetrics();
      return reply.type(app.metricsRegistry.contentType).send(text);
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
