// tap --before: clears the previous run's figures so the summary shows only this run's proofs.
import { mkdir, readdir, rm } from 'node:fs/promises';

const dir = new URL('./results/', import.meta.url);
await mkdir(dir, { recursive: true });
for (const name of await readdir(dir)) {
  if (name.endsWith('.json') || name === 'summary.md') await rm(new URL(name, dir));
}
