/**
 * The result of synchronous work, behind a port that returns a Promise: a throw becomes a
 * rejection, as it would in an `async` method (the in-memory adapters do no I/O, so nothing is
 * awaited, but callers of a port may rely on it never throwing synchronously).
 */
export function promised<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(work());
  });
}
