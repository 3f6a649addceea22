import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Where the proofs leave their figures (read by `proof/after.mjs`) and artefacts (the screenshot). */
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** One row of the summary table that `pnpm test:proof` prints at the end. */
export interface ProofResult {
  /** Position in the table. */
  readonly order: number;
  readonly proof: string;
  /** What was tried, in one line with its figures. */
  readonly tried: string;
  /** What held, in one line with its figures. */
  readonly held: string;
  /** Whether every property of this proof held. */
  readonly ok: boolean;
  /** Every figure measured, printed under the table. */
  readonly figures: Readonly<Record<string, string | number>>;
}

/** Writes the proof's row (results/<slug>.json); `proof/before.mjs` clears them before each run. */
export async function recordResult(slug: string, result: ProofResult): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(new URL(`../results/${slug}.json`, import.meta.url), `${JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2)}\n`);
}

/** 12345 → "12,345". */
export const count = (n: number): string => n.toLocaleString('en-US');
