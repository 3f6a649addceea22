import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Figures a dependency reports (pool sizes, cache hits…), exported as gauges `banking_<name>_<figure>`. */
export interface MetricsSource {
  readonly name: string;
  stats(): Readonly<Record<string, number>> | Promise<Readonly<Record<string, number>>>;
}

declare module 'fastify' {
  interface FastifyInstance {
    readonly metricsRegistry: Registry;
    /** The Prometheus text of every metric, after reading the sources' figures. */
    renderMetrics(): Promise<string>;
  }
}

export interface MetricsPluginOptions {
  readonly sources: readonly MetricsSource[];
  readonly defaultMetrics?: boolean;
}

function metricName(...parts: string[]): string {
  return parts
    .join('_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_');
}

/** Request counts and latencies by route template and status, plus the dependencies' figures. */
// eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: avvio fails register() on a rejection, while a synchronous throw escapes it
async function metricsPlugin(app: FastifyInstance, options: MetricsPluginOptions): Promise<void> {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const gauges = new Map<string, Gauge>();

  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      // The route template (/api/v1/accounts/:id), never the raw URL: bounded label values.
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.decorate('metricsRegistry', registry);
  app.decorate('renderMetrics', async () => {
    for (const source of options.sources) {
      let figures: Readonly<Record<string, number>>;
      try {
        figures = await source.stats();
      } catch (error) {
        app.log.warn({ err: error, source: source.name }, 'metrics source failed');
        continue;
      }
      for (const [figure, value] of Object.entries(figures)) {
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        const name = metricName('banking', source.name, figure);
        let gauge = gauges.get(name);
        if (gauge === undefined) {
          gauge = new Gauge({ name, help: `${source.name} ${figure}`, registers: [registry] });
          gauges.set(name, gauge);
        }
        gauge.set(value);
      }
    }
    return registry.metrics();
  });
}

export default fp(metricsPlugin, { name: 'banking-metrics', fastify: '5.x' });
