import autocannon, { type Request } from 'autocannon';
import { loadAverage, ProcSampler, type ProcessGroup, type UsageReport } from './proc-sampler.js';

export interface Scenario {
  readonly name: string;
  /** Makes the next request: method, path, headers, body. */
  next(): Request;
  /** Statuses that count as success (default: any 2xx). */
  readonly ok?: (status: number) => boolean;
}

export interface LoadResult {
  readonly scenario: string;
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Responses by HTTP status, plus "socket" for connection errors and timeouts. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly loadBefore: number;
  readonly usage: UsageReport;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

function drive(url: string, scenario: Scenario, connections: number, seconds: number, onResponse?: (status: number, ms: number) => void) {
  return new Promise<{ socketErrors: number }>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [{ setupRequest: (request) => ({ ...request, ...scenario.next() }) }],
      },
      (error, result) => (error ? reject(error) : resolve({ socketErrors: result.errors })),
    );
    if (onResponse) instance.on('response', (_client, status, _bytes, ms) => onResponse(status, ms));
  });
}

/**
 * Drives `scenario` with `connections` closed-loop connections: `warmupSeconds` unmeasured (JIT,
 * pools, caches), then `seconds` measured, with the CPU and memory of `groups` sampled meanwhile.
 */
export async function measureLoad(
  url: string,
  scenario: Scenario,
  options: { connections: number; seconds: number; warmupSeconds: number; groups: Readonly<Record<string, ProcessGroup>> },
): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await drive(url, scenario, options.connections, options.warmupSeconds);
  const ok = scenario.ok ?? ((status: number) => status >= 200 && status < 300);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const loadBefore = loadAverage();
  const sampler = new ProcSampler({ ...options.groups, 'load generator': { kind: 'pid', pid: process.pid } });
  sampler.start();
  const started = performance.now();
  const { socketErrors } = await drive(url, scenario, options.connections, options.seconds, (status, ms) => {
    latencies.push(ms);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (!ok(status)) errors++;
  });
  const seconds = (performance.now() - started) / 1000;
  const usage = sampler.stop();
  if (socketErrors > 0) statuses['socket'] = socketErrors;
  latencies.sort((a, b) => a - b);
  return {
    scenario: scenario.name,
    connections: options.connections,
    seconds,
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? NaN,
    statuses,
    errors: errors + socketErrors,
    loadBefore,
    usage,
  };
}
