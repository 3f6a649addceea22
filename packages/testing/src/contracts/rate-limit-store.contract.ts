import { randomUUID } from 'node:crypto';
import type { RateLimitStore } from '@banking/domain';
import type { Test } from 'tap';
import { delay, judged, using } from './support.js';

export interface RateLimitStoreHarness {
  readonly store: RateLimitStore;
  close(): Promise<void>;
}

const aKey = (): string => `contract:${randomUUID()}`;

/** Fixed windows over real time. `open()` once per subtest; keys are random, so harnesses may share a server. */
export async function rateLimitStoreContract(t: Test, open: () => Promise<RateLimitStoreHarness>): Promise<void> {
  await t.test('rate limit store: counts 1..N in one window, then a new window', (t) =>
    using(open, async ({ store }) =>
      judged(t, 'five hits in one 300 ms window', async () => {
        const key = aKey();
        const windowMs = 300;
        const started = Date.now();
        const hits = [];
        for (let i = 0; i < 5; i++) hits.push(await store.hit(key, windowMs));
        // Five hits answered within windowMs of the first being sent all fell in its window.
        if (Date.now() - started >= windowMs) return false;
        let previousReset = windowMs;
        for (const hit of hits) {
          t.ok(hit.resetInMs > 0 && hit.resetInMs <= previousReset, `resetInMs ${hit.resetInMs} is in (0, ${previousReset}]: a hit never extends the window`);
          previousReset = hit.resetInMs;
        }
        t.same(hits.map((hit) => hit.count), [1, 2, 3, 4, 5]);
        await delay(windowMs + 100);
        const next = await store.hit(key, windowMs);
        t.equal(next.count, 1, 'a new window starts at 1');
        t.ok(next.resetInMs > 0 && next.resetInMs <= windowMs, 'with a full window ahead');
        return true;
      }),
    ),
  );

  await t.test('rate limit store: windows are fixed: hits inside a window do not prolong it', (t) =>
    using(open, async ({ store }) =>
      judged(t, 'a hit inside a 300 ms window', async () => {
        const key = aKey();
        const windowMs = 300;
        await store.hit(key, windowMs);
        await delay(150);
        // Counted 2: it fell inside the first window (on a stalled machine it may come after it).
        if ((await store.hit(key, windowMs)).count !== 2) return false;
        await delay(200);
        // 350 ms after the first hit its window has closed, whatever happened at 150 ms.
        t.equal((await store.hit(key, windowMs)).count, 1, 'a new window has opened');
        return true;
      }),
    ),
  );

  await t.test('rate limit store: keys are independent', (t) =>
    using(open, async ({ store }) => {
      const [a, b] = [aKey(), aKey()];
      await store.hit(a, 60_000);
      await store.hit(a, 60_000);
      t.equal((await store.hit(b, 60_000)).count, 1);
      t.equal((await store.hit(a, 60_000)).count, 3);
    }),
  );

  await t.test('rate limit store: 50 concurrent hits on one key count exactly 1..50', (t) =>
    using(open, async ({ store }) => {
      const key = aKey();
      const hits = await Promise.all(Array.from({ length: 50 }, () => store.hit(key, 60_000)));
      t.same(
        hits.map((h) => h.count).sort((x, y) => x - y),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      t.ok(hits.every((h) => h.resetInMs > 0 && h.resetInMs <= 60_000), 'every resetInMs is within the window');
    }),
  );
}
