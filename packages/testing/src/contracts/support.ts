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

export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
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
