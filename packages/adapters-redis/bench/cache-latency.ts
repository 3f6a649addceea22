/**
 * Cache latency against the machine's Redis (or BENCH_REDIS_URL): get (hit), get (miss) + put,
 * invalidate, rate-limit hit, and a raw PING for reference; sequential, then with concurrent
 * callers. Prints percentiles; asserts nothing. Keys live under a random prefix, deleted at the end.
 *
 *   pnpm --filter @banking/adapters-redis bench:cache
 */
import { MemoryRateLimitStore } from '@banking/adapters-memory';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createClient } from 'redis';
import { openRedis } from '@banking/adapters-redis';

const url = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';
const iterations = Number(process.env['BENCH_ITERATIONS'] ?? 5000);
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const prefix = `bench:adapters-redis:${randomUUID()}:`;

const account = {
  id: randomUUID(),
  account_number: '123456789012',
  account_type: 'COURANT',
  currency: 'HTG',
  balance: 1000050,
  status: 'ACTIVE',
  owner_id: randomUUID(),
  created_at: new Date().toISOString(),
  updated_at: new Date().toISOString(),
};

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): string => (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN).toFixed(3);
  return `p50 ${at(50)}  p90 ${at(90)}  p99 ${at(99)}  max ${at(100)} ms`;
}

async function measure(label: string, op: (i: number) => Promise<unknown>, parallel = 1): Promise<void> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < iterations) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        samples.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(34)} ${percentiles(samples)}  (${Math.round(samples.length / seconds)} ops/s, ${parallel} caller${parallel > 1 ? 's' : ''})`);
}

const redis = await openRedis({ url, keyPrefix: prefix, fallbackRateLimitStore: new MemoryRateLimitStore(), isSessionRevoked: () => Promise.resolve(false) });
if (!redis.isReady()) {
  console.error(`Redis at ${url} is not reachable`);
  process.exit(1);
}
const raw = createClient({ url });
await raw.connect();

const scope = `user:${randomUUID()}`;
const first = await redis.cache.get(scope, 'account');
if (!first.hit) await redis.cache.put(scope, 'account', first.stamp, account, 600);

console.log(`Redis ${url}, ${iterations} operations per line, value ${JSON.stringify(account).length} bytes`);
for (const parallel of [1, concurrency]) {
  await measure('raw PING', () => raw.ping(), parallel);
  await measure('cache get (hit)', () => redis.cache.get(scope, 'account'), parallel);
  await measure('cache get (miss) + put', async (i) => {
    const lookup = await redis.cache.get(`${scope}:${parallel}`, `k${i}`);
    if (!lookup.hit) await redis.cache.put(`${scope}:${parallel}`, `k${i}`, lookup.stamp, account, 60);
  }, parallel);
  await measure('cache invalidate (2 scopes)', (i) => redis.cache.invalidate([`inv:${i % 100}`, `inv:${(i + 1) % 100}`]), parallel);
  await measure('rate-limit hit', (i) => redis.rateLimitStore.hit(`client-${i % 50}`, 60_000), parallel);
  await measure('denylist isDenied (absent)', () => redis.denylist.isDenied(randomUUID()), parallel);
}
console.log(JSON.stringify(redis.stats()));

for await (const keys of raw.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await raw.unlink(keys);
await raw.close();
await redis.close();
