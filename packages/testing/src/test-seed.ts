import { randomInt } from 'node:crypto';

/**
 * One seed for every random choice a test makes (fast-check runs, random amounts, pairs, pauses),
 * so that a failure seen once, in CI or under load, can be run again with the same choices:
 * `TEST_SEED=N pnpm test` (or `pnpm test:proof`, or one file through `pnpm exec tap`).
 *
 * Names that only have to be unique (emails, database names, key prefixes, idempotency keys) stay
 * outside it on purpose: two runs with one seed on the same PostgreSQL or Redis must not collide.
 */
export const SEED_VARIABLE = 'TEST_SEED';
/** The proof suite's older name for it, still read when TEST_SEED is absent. */
export const SEED_ALIAS = 'PROOF_SEED';
/** fast-check takes a 32-bit signed seed: every seed is in [0, MAX_SEED]. */
export const MAX_SEED = 2 ** 31 - 1;

/** The seed the environment names (TEST_SEED, else PROOF_SEED); undefined when neither is set. A malformed value throws: a replay must never quietly run other choices. */
export function seedFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number | undefined {
  for (const name of [SEED_VARIABLE, SEED_ALIAS]) {
    const text = env[name]?.trim();
    if (text === undefined || text === '') continue;
    const seed = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
    if (!(seed <= MAX_SEED)) throw new RangeError(`${name}=${JSON.stringify(env[name])}: a seed is an integer from 0 to ${MAX_SEED}`);
    return seed;
  }
  return undefined;
}

let drawn: number | undefined;

/** Something tap can print a comment on (a `Test`, or the root `t`). */
export interface Commenting {
  comment(...message: unknown[]): void;
}

/**
 * This process's seed: the environment's, else one drawn once per process. Printed on `t` (a TAP
 * comment, so it is in the log of the test that used it) with the command that replays it.
 */
export function testSeed(t: Commenting, env: Readonly<Record<string, string | undefined>> = process.env): number {
  const seed = seedFromEnv(env) ?? (drawn ??= randomInt(0, MAX_SEED + 1));
  t.comment(`seed ${seed} (${SEED_VARIABLE}=${seed} replays it)`);
  return seed;
}

/** A small seeded generator (mulberry32) in place of Math.random, with the helpers tests use. */
export interface SeededRandom {
  /** A float in [0, 1), like Math.random(). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** One of `items` (not empty). */
  pick<T>(items: readonly T[]): T;
}

/**
 * A generator from `seed` and a `stream` name: two uses in one file draw from separate streams, so
 * that changing one does not change what the other draws under the same seed.
 */
export function seededRandom(seed: number, stream = ''): SeededRandom {
  let state = seed >>> 0;
  for (const char of stream) state = Math.imul(state ^ char.charCodeAt(0), 0x9e3779b1) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
  };
}
