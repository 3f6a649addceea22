/** Small helpers shared by the contract suites. */

export interface Closable {
  close(): Promise<void>;
}

/** Opens a harness, runs `body` with it, and always closes it. */
export async function using<H extends Closable>(open: () => Promise<H>, body: (harness: H) => Promise<void>): Promise<void> {
  const harness = await open();
  try {
    await body(harness);
  } finally {
    await harness.close();
  }
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` (with fresh keys each time) until a run could judge, at most `tries` times. A check
 * on a real-time window (a TTL, a fixed rate-limit window, a denial's end) is exact only when its
 * steps fell inside the window, which a loaded machine does not promise: `attempt` measures, and
 * returns false without asserting anything when its steps took too long to tell. A store that is
 * wrong fails the asserts of a run that could judge, or never lets a run judge.
 */
export async function judged(t: { comment(...message: unknown[]): void }, what: string, attempt: () => Promise<boolean>, tries = 10): Promise<void> {
  for (let i = 1; i <= tries; i++) {
    if (await attempt()) return;
    t.comment(`${what}: run ${i} was too slow to judge, running it again`);
  }
  throw new Error(`${what}: none of ${tries} runs was fast enough to judge`);
}

export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** The first item of a list a test expects to be non-empty: a clear failure, not a TypeError further on, when it is empty. */
export function first<T>(items: readonly T[]): T {
  const [item] = items;
  if (item === undefined) throw new Error('expected at least one item, got none');
  return item;
}

export const TIMED_OUT = Symbol('timed out');

/** The promise's value, or TIMED_OUT after `ms` (so a deadlock fails a test instead of hanging it). */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** ISO timestamps `offsetMs` after a fixed base, for rows whose order or time filter matters. */
export function instants(base = Date.UTC(2026, 0, 15, 12, 0, 0)): (offsetMs: number) => string {
  return (offsetMs) => new Date(base + offsetMs).toISOString();
}

/** Text order of ids, which is PostgreSQL's uuid order for the lower-case form. */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
