import type { Clock } from '@banking/domain';
import type { Test } from 'tap';

export interface ClockContractOptions {
  /** A test clock that only moves when told: `now()` need not be near the real time. */
  readonly fixed?: boolean;
}

export async function clockContract(t: Test, clock: Clock, options: ClockContractOptions = {}): Promise<void> {
  await t.test('clock: now() is a valid Date, a fresh one each call', async (t) => {
    const first = clock.now();
    t.ok(first instanceof Date, 'a Date');
    t.ok(Number.isFinite(first.getTime()), 'a valid one');
    t.equal(first.toISOString().length, 24, 'that formats as an ISO timestamp with milliseconds');
    const time = first.getTime();
    first.setTime(0);
    t.not(clock.now().getTime(), 0, 'changing a returned Date does not change the clock');
    if (!(options.fixed ?? false)) {
      const before = Date.now();
      const now = clock.now().getTime();
      t.ok(Math.abs(now - before) < 5000, 'near the real time');
      t.ok(now >= time, 'never goes back');
    }
  });
}
