// tap --after: prints the summary table of what the proofs tried and what held (also written to
// results/summary.md), just before tap's own `# { total, pass, fail }` line.
import { readdir, readFile, writeFile } from 'node:fs/promises';

const dir = new URL('./results/', import.meta.url);
const EXPECTED = [
  ['bank-faults', 'Bank workload under faults'],
  ['double-spend', 'Double spend over HTTP'],
  ['access-control', 'Access-control matrix from /openapi.json'],
  ['hostile-input', 'Hostile input from the OpenAPI schemas'],
  ['swagger-browser', 'Swagger UI in a real browser'],
];

const rows = [];
for (const name of await readdir(dir)) {
  if (!name.endsWith('.json')) continue;
  rows.push({ slug: name.slice(0, -5), ...JSON.parse(await readFile(new URL(name, dir), 'utf8')) });
}
for (const [index, [slug, proof]] of EXPECTED.entries()) {
  if (!rows.some((r) => r.slug === slug)) rows.push({ slug, order: index + 1, proof, tried: '(not run, or stopped before its figures: see its failure above)', held: '—', ok: false, figures: {} });
}
rows.sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const lines = [
  '## Proof summary',
  '',
  '| proof | what it tried | what held | verdict |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${cell(r.proof)} | ${cell(r.tried)} | ${cell(r.held)} | ${r.ok ? 'HELD' : 'FAILED'} |`),
  '',
];
for (const r of rows) {
  const figures = Object.entries(r.figures ?? {});
  if (figures.length === 0) continue;
  lines.push(`### ${r.proof}`, '', '| figure | value |', '| --- | --- |', ...figures.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`), '');
}
const text = lines.join('\n');
await writeFile(new URL('summary.md', dir), `${text}\n`);
console.log(`\n${text}`);
