/**
 * How the API_WORKERS primary restarts crashed workers. A worker that crashes soon after it
 * started (or before it ever listened) is restarted after a delay that doubles with each such
 * crash in a row, up to a cap: a crash loop costs a restart every 30 s, not one a second. One that
 * served for a while before crashing is restarted at once, and the back-off starts over.
 */

export const RESTART_BASE_MS = 250;
export const RESTART_CAP_MS = 30_000;
/** Serving this long before a crash counts as having been healthy. */
export const HEALTHY_AFTER_MS = 10_000;

/** Milliseconds before the next worker is forked; `crashStreak` counts the delayed restarts before this one. */
export function crashRestartDelay(servedMs: number | undefined, crashStreak: number): number {
  if (servedMs !== undefined && servedMs >= HEALTHY_AFTER_MS) return 0;
  return Math.min(RESTART_CAP_MS, RESTART_BASE_MS * 2 ** Math.min(crashStreak, 30));
}

/**
 * Workers failing in a row before they ever listened, with none serving, after which the primary
 * gives up: every worker failed twice (at least 5 attempts), as a single process gives up at once.
 */
export function startUpGiveUpAfter(workers: number): number {
  return Math.max(5, 2 * workers);
}
