import { randomUUID } from 'node:crypto';
import type { TokenDenylist } from '@banking/domain';
import type { Test } from 'tap';
import { delay, judged, using } from './support.js';

export interface DenylistHarness {
  readonly denylist: TokenDenylist;
  close(): Promise<void>;
}

const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

/** A denylist over real time. `open()` once per subtest; ids are fresh UUIDs, so harnesses may share a server. */
export async function denylistContract(t: Test, open: () => Promise<DenylistHarness>): Promise<void> {
  await t.test('denylist: denied until a future time; unknown ids and past times are not denied', (t) =>
    using(open, async ({ denylist }) => {
      const denied = randomUUID();
      const past = randomUUID();
      await denylist.deny(denied, inMs(60_000));
      await denylist.deny(past, inMs(-1000));
      t.equal(await denylist.isDenied(denied), true, 'denied');
      t.equal(await denylist.isDenied(randomUUID()), false, 'unknown');
      t.equal(await denylist.isDenied(past), false, 'until a past time');
    }),
  );

  await t.test('denylist: a denial ends at its time, and denying twice keeps the later time', (t) =>
    using(open, async ({ denylist }) =>
      judged(t, 'a denial read before its 300 ms end', async () => {
        const short = randomUUID();
        const extended = randomUUID();
        const notShortened = randomUUID();
        const denying = Date.now();
        await denylist.deny(short, inMs(300));
        await denylist.deny(extended, inMs(300));
        await denylist.deny(extended, inMs(60_000));
        await denylist.deny(notShortened, inMs(60_000));
        await denylist.deny(notShortened, inMs(300));
        await denylist.deny(notShortened, inMs(-1000));
        const early = await denylist.isDenied(short);
        // Answered within 300 ms of the first deny being sent: read before the denial's end.
        if (Date.now() - denying >= 300) return false;
        t.equal(early, true, 'denied before its time');
        await delay(1100);
        t.equal(await denylist.isDenied(short), false, 'no longer denied after its time');
        t.equal(await denylist.isDenied(extended), true, 'a later time extends the denial');
        t.equal(await denylist.isDenied(notShortened), true, 'an earlier time does not shorten it');
        return true;
      }),
    ),
  );
}
