import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openDatabase, verifyLedger } from '../../packages/adapters-postgres/src/index.js';
import { testSeed } from '@banking/testing';
import t from 'tap';
import { freshDatabase, requireServer } from '../../packages/adapters-postgres/test/support/databases.js';
import { chartSvg, renderPng } from '../lib/chart.js';
import { API_TRANSFER_SCRIPT } from '../lib/pgbench.js';
import { chartSpec, headlines, reportMarkdown } from '../lib/report.js';
import type { BenchRun } from '../lib/results.js';
import { seed } from '../lib/seed.js';
import { pgArgs, pgServerFromUrl, run } from '../lib/shell.js';

// `pnpm bench` is a script, never a timed test; what it relies on is tested here: the data it
// seeds with SQL and the data the API's statements write through pgbench keep every money
// invariant (ledger:verify), and a saved run gives a report and a chart.

await requireServer();

await t.test('the seeded bank and the API transfer statements run by pgbench keep the ledger clean', async (t) => {
  const { url, name } = await freshDatabase(t);
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
  t.teardown(() => database.close());
  const server = pgServerFromUrl(url);
  const seeded = await seed(server, name, { accounts: 1_000, linesPerAccount: 10, passwordHash: 'not-a-login' }, () => {});
  t.match(seeded, { users: 200, accounts: 1_000, ledgerLines: 10_000 });
  t.same(await verifyLedger(database), [], 'the seed: deposits, one transfer out and one in per account');
  const rows = await database.db.selectFrom('transfers').select((eb) => eb.fn.countAll<string>().as('n')).execute();
  t.equal(Number(rows[0]?.n), 1_000, 'a transfer per account');

  // pgbench draws the accounts and amounts: from the test seed, so that TEST_SEED replays them.
  const seedArg = `--random-seed=${testSeed(t)}`;
  const result = await run('pgbench', [...pgArgs(server), '-n', '-c', '4', '-j', '2', '-t', '50', '-M', 'prepared', seedArg, '-D', 'accounts=1000', '-f', API_TRANSFER_SCRIPT, name]);
  t.match(result.stdout, /number of transactions actually processed: 200\/200/, 'pgbench ran the API transfer 200 times');
  t.same(await verifyLedger(database), [], 'and the ledger is still clean');
});

await t.test('a saved run gives the report, its verdicts and a PNG chart', async (t) => {
  const saved = fileURLToPath(new URL('../results/runs/2026-11-26T02-00-28-final-s2b.json', import.meta.url));
  const bench = JSON.parse(readFileSync(saved, 'utf8')) as BenchRun;
  const verdicts = headlines(bench);
  t.ok(verdicts.some((h) => /transfers\/s ÷ pgbench transfer tps/.test(h.label)), 'the transfer ratio');
  t.ok(verdicts.some((h) => /cached balance reads\/s ÷ pgbench -S tps/.test(h.label)), 'the read ratio');
  t.ok(verdicts.some((h) => /p99 transfer latency/.test(h.label)), 'the p99');
  t.ok(verdicts.some((h) => /1,000,000 accounts/.test(h.label)), 'the 1M vs 1k comparison');
  const markdown = reportMarkdown(bench, 'chart.png', [], 'the notes');
  for (const heading of ['## Machine', '## Targets', '## Raw ceiling', '### What bounds the API here', '## API, 1 worker, 1k accounts', 'the notes']) {
    t.ok(markdown.includes(heading), heading);
  }
  const png = renderPng(chartSvg(chartSpec(bench)));
  t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  t.ok(png.length > 10_000, 'with something drawn in it');
});
