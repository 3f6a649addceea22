import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../packages/adapters-postgres/dist/cli/ledger-verify.js', import.meta.url));

/** Runs `ledger:verify` (the built CLI) on `databaseUrl`: its exit code, and what it printed. */
export async function ledgerVerify(databaseUrl: string): Promise<{ readonly code: number; readonly out: string }> {
  try {
    const { stdout } = await run(process.execPath, [CLI], { env: { ...process.env, DATABASE_URL: databaseUrl } });
    return { code: 0, out: stdout.trim() };
  } catch (error) {
    // execFile's error carries the exit code and both outputs (typed unknown: read with care).
    type Failed = Error & { readonly code?: unknown; readonly stdout?: unknown; readonly stderr?: unknown };
    const failed: Partial<Failed> = error instanceof Error ? error : {};
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    return { code: typeof failed.code === 'number' ? failed.code : 1, out: `${text(failed.stdout)}${text(failed.stderr)}`.trim() };
  }
}
