import { randomUUID } from 'node:crypto';
import type { Cache } from '@banking/domain';
import type { Test } from 'tap';
import { delay, judged, using } from './support.js';

/**
 * A cache and how to release it. The suite calls `open()` once per subtest and `close()` after;
 * it uses fresh random scopes, so harnesses may share one server (never flush a shared db).
 */
export interface CacheHarness {
  readonly cache: Cache;
  close(): Promise<void>;
}

const aScope = (): string => `contract-${randomUUID()}`;

/** Misses, then puts with the stamp the miss gave. */
async function fill(cache: Cache, scope: string, key: string, value: unknown, ttlSeconds = 60): Promise<void> {
  const lookup = await cache.get(scope, key);
  if (lookup.hit) throw new Error(`expected a miss on ${scope}/${key}`);
  await cache.put(scope, key, lookup.stamp, value, ttlSeconds);
}

const VALUES: Record<string, unknown> = {
  null: null,
  number: 9007199254740991,
  string: 'Solde « disponible » ✓ 日本 🔐',
  boolean: false,
  array: [1, 'two', null, [3], { four: 4 }],
  nested: { items: [{ id: randomUUID(), balance: 100050, status: 'ACTIVE', description: null }], total: 1, page: { n: 1, size: 20 } },
  empty: {},
};

export async function cacheContract(t: Test, open: () => Promise<CacheHarness>): Promise<void> {
  await t.test('cache: a miss, then put, then a hit with an equal value', (t) =>
    using(open, async ({ cache }) => {
      const scope = aScope();
      for (const [key, value] of Object.entries(VALUES)) {
        const miss = await cache.get(scope, key);
        t.equal(miss.hit, false, `${key}: a miss first`);
        t.type(miss.hit ? undefined : miss.stamp, 'string', `${key}: the miss carries a stamp`);
        await fill(cache, scope, key, value);
        t.same(await cache.get(scope, key), { hit: true, value }, `${key}: then a hit`);
      }
    }),
  );

  await t.test('cache: a put whose scope was invalidated since its get is dropped', (t) =>
    using(open, async ({ cache }) => {
      const scope = aScope();
      const miss = await cache.get(scope, 'balance');
      if (miss.hit) return void t.fail('expected a miss');
      await cache.invalidate([scope]); // a writer commits and invalidates while the reader reads the database
      await cache.put(scope, 'balance', miss.stamp, { balance: 'stale' }, 60);
      const after = await cache.get(scope, 'balance');
      t.equal(after.hit, false, 'the stale value is not served');
      if (after.hit) return;
      t.not(after.stamp, miss.stamp, 'the scope has a new stamp');
      await cache.put(scope, 'balance', after.stamp, { balance: 'fresh' }, 60);
      t.same(await cache.get(scope, 'balance'), { hit: true, value: { balance: 'fresh' } }, 'a put with the new stamp is kept');
    }),
  );

  await t.test('cache: invalidate drops every key of its scopes and only those', (t) =>
    using(open, async ({ cache }) => {
      const [a, b, c] = [aScope(), aScope(), aScope()];
      for (const scope of [a, b, c]) {
        await fill(cache, scope, 'one', { scope, n: 1 });
        await fill(cache, scope, 'two', { scope, n: 2 });
      }
      const stampOfC = await cache.get(c, 'three');
      await cache.invalidate([a, b]);
      for (const scope of [a, b]) {
        t.equal((await cache.get(scope, 'one')).hit, false, 'first key of an invalidated scope');
        t.equal((await cache.get(scope, 'two')).hit, false, 'second key of an invalidated scope');
      }
      t.same(await cache.get(c, 'one'), { hit: true, value: { scope: c, n: 1 } }, 'another scope keeps its values');
      t.same(await cache.get(c, 'two'), { hit: true, value: { scope: c, n: 2 } });
      if (stampOfC.hit) return void t.fail('expected a miss');
      await cache.put(c, 'three', stampOfC.stamp, 3, 60);
      t.same(await cache.get(c, 'three'), { hit: true, value: 3 }, 'and its stamps stay valid');
      await cache.invalidate([]);
      t.same(await cache.get(c, 'one'), { hit: true, value: { scope: c, n: 1 } }, 'invalidating no scope changes nothing');
    }),
  );

  await t.test('cache: values expire after their ttl', (t) =>
    using(open, async ({ cache }) =>
      judged(t, 'a value read within its 1 s ttl', async () => {
        const scope = aScope();
        const filling = Date.now();
        await fill(cache, scope, 'short', 'short-lived', 1);
        await fill(cache, scope, 'long', 'long-lived', 60);
        const early = await cache.get(scope, 'short');
        // Answered within 1 s of the fill being started: read before the ttl ran out.
        if (Date.now() - filling >= 1000) return false;
        t.equal(early.hit, true, 'there before the ttl');
        await delay(1100);
        t.equal((await cache.get(scope, 'short')).hit, false, 'gone after the ttl');
        t.same(await cache.get(scope, 'long'), { hit: true, value: 'long-lived' }, 'a longer ttl is still there');
        return true;
      }),
    ),
  );

  await t.test('cache: values are copies', (t) =>
    using(open, async ({ cache }) => {
      const scope = aScope();
      const value = { balance: 100, tags: ['a'] };
      await fill(cache, scope, 'k', value);
      value.balance = -1;
      value.tags.push('mutated after put');
      const first = await cache.get<{ balance: number; tags: string[] }>(scope, 'k');
      t.same(first, { hit: true, value: { balance: 100, tags: ['a'] } }, 'changing the object put does not change the cache');
      if (!first.hit) return;
      first.value.balance = -2;
      first.value.tags.push('mutated after get');
      t.same(await cache.get(scope, 'k'), { hit: true, value: { balance: 100, tags: ['a'] } }, 'changing a returned object does not either');
    }),
  );
}
