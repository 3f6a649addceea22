import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { Test } from 'tap';

export const MACHINE_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';

/** A key prefix no other test uses: the machine's Redis is shared, so nothing here flushes it. */
export const aPrefix = (): string => `test:adapters-redis:${randomUUID()}:`;

const adminClient = () =>
  createClient({ url: MACHINE_REDIS_URL, socket: { connectTimeout: 1000, reconnectStrategy: false } });

export type AdminClient = ReturnType<typeof adminClient>;

/**
 * A plain client on the machine's Redis (for assertions and clean-up), or undefined when it does
 * not answer: then the test fails with the reason (a missing service is a failure, never a skip).
 */
export async function machineRedis(t: Test): Promise<AdminClient | undefined> {
  const client = adminClient();
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.destroy();
    const reason = `Redis at ${MACHINE_REDIS_URL} is unreachable (${String(error)})`;
    t.fail(reason);
    return undefined;
  }
}

/** Deletes every key under `prefix` (SCAN + UNLINK; never FLUSHDB on a shared server). */
export async function deletePrefix(client: AdminClient, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length > 0) deleted += await client.unlink(keys);
  }
  return deleted;
}
