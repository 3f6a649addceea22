import type { ChartSpec } from './chart.js';
import type { LoadResult } from './load.js';
import { findResult, type ApiRun, type BenchRun } from './results.js';

const SERIES_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2'];

export const TARGETS = {
  transferRatio: 0.7,
  balanceRatio: 0.5,
  transferP99Ms: 25,
  dataGrowthTolerance: 0.1,
} as const;

const fmt = (value: number | undefined, digits = 0) =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(1));
const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? '**met**' : '**missed**');

function statuses(result: LoadResult): string {
  return Object.entries(result.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
}

export interface Headline {
  readonly label: string;
  readonly value: string;
  readonly target: string;
  readonly met: boolean | undefined;
}

/** The figures the issue's targets are about, computed from one run. */
export function headlines(bench: BenchRun): Headline[] {
  const out: Headline[] = [];
  const raw = bench.ceiling;
  for (const run of bench.runs.filter((r) => r.mode === 'postgres' && r.accounts <= 10_000)) {
    const transfer = findResult(run, 'transfer');
    const balance = findResult(run, 'balance (cached)');
    if (raw && transfer) {
      const ratio = transfer.rps / raw.transfer.tps;
      out.push({
        label: `${run.title}: transfers/s ÷ pgbench transfer tps`,
        value: `${fmt(transfer.rps)} ÷ ${fmt(raw.transfer.tps)} = **${ratio.toFixed(2)}** (${transfer.errors} errors)${raw.transferPrepared ? `; ÷ ${fmt(raw.transferPrepared.tps)} with -M prepared = ${(transfer.rps / raw.transferPrepared.tps).toFixed(2)}` : ''}`,
        target: `≥ ${TARGETS.transferRatio}, 0 errors`,
        met: ratio >= TARGETS.transferRatio && transfer.errors === 0,
      });
    }
    if (raw && balance) {
      const ratio = balance.rps / raw.selectOnly.tps;
      out.push({
        label: `${run.title}: cached balance reads/s ÷ pgbench -S tps`,
        value: `${fmt(balance.rps)} ÷ ${fmt(raw.selectOnly.tps)} = **${ratio.toFixed(2)}**${raw.selectOnlyPrepared ? `; ÷ ${fmt(raw.selectOnlyPrepared.tps)} with -M prepared = ${(balance.rps / raw.selectOnlyPrepared.tps).toFixed(2)}` : ''}`,
        target: `≥ ${TARGETS.balanceRatio}`,
        met: ratio >= TARGETS.balanceRatio,
      });
    }
    if (transfer) {
      out.push({
        label: `${run.title}: p99 transfer latency`,
        value: `**${ms(transfer.p99Ms)} ms** (p50 ${ms(transfer.p50Ms)} ms, max ${ms(transfer.maxMs)} ms)`,
        target: `≤ ${TARGETS.transferP99Ms} ms`,
        met: transfer.p99Ms <= TARGETS.transferP99Ms,
      });
    }
  }
  // The interleaved control when there is one (same machine conditions), else the 1-worker run.
  const small = bench.runs.find((r) => r.id === 'scale-1k') ?? bench.runs.find((r) => r.id === 'api-1w');
  const big = bench.runs.find((r) => r.id === 'api-1m');
  if (small && big) {
    for (const scenario of ['transfer', 'deposit', 'balance (cached)', 'transactions page']) {
      const a = findResult(small, scenario);
      const b = findResult(big, scenario);
      if (!a || !b) continue;
      const change = b.rps / a.rps - 1;
      out.push({
        label: `${scenario}: ${fmt(big.accounts)} accounts / ${fmt(big.ledgerLines)} lines vs ${fmt(small.accounts)} accounts`,
        value: `${fmt(b.rps)} vs ${fmt(a.rps)} req/s: **${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %**`,
        target: `within ±${TARGETS.dataGrowthTolerance * 100} %`,
        met: Math.abs(change) <= TARGETS.dataGrowthTolerance,
      });
    }
  }
  return out;
}

function runTable(run: ApiRun): string {
  const header =
    '| scenario | req/s | p50 ms | p99 ms | max ms | responses by status | errors | API CPU (cores) | API RSS peak MiB | Postgres CPU | Redis CPU | load gen. CPU | CPU µs per request: API / Postgres / Redis / load gen. | machine busy | load avg before |';
  const lines = [header, `|${' --- |'.repeat(15)}`];
  const perRequest = (r: LoadResult, name: string) => {
    const cores = r.usage.groups[name]?.cores;
    return cores === undefined || r.rps === 0 ? '–' : fmt((cores / r.rps) * 1e6);
  };
  for (const r of run.results) {
    const g = (name: string) => r.usage.groups[name];
    lines.push(
      `| ${r.scenario} | ${fmt(r.rps)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${ms(r.maxMs)} | ${statuses(r)} | ${r.errors} | ${fmt(g('api')?.cores, 2)} | ${fmt(g('api')?.peakRssMiB)} | ${fmt(g('postgres')?.cores, 2)} | ${g('redis') ? fmt(g('redis')?.cores, 2) : '–'} | ${fmt(g('load generator')?.cores, 2)} | ${['api', 'postgres', 'redis', 'load generator'].map((n) => perRequest(r, n)).join(' / ')} | ${fmt(r.usage.machineBusy * 100)} % | ${r.loadBefore.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

export function chartSpec(bench: BenchRun): ChartSpec {
  const runs = bench.runs;
  const scenarios = [...new Set(runs.flatMap((r) => r.results.map((x) => x.scenario)))];
  const rows = (pick: (r: LoadResult) => number) =>
    scenarios.map((scenario) => ({ label: scenario, values: runs.map((run) => {
      const result = findResult(run, scenario);
      return result ? pick(result) : undefined;
    }) }));
  const raw = bench.ceiling;
  return {
    title: `Banking API benchmark — ${bench.startedAt.slice(0, 10)} (${bench.label})`,
    subtitle: `${bench.machine.cores} cores, Node ${bench.machine.node}, PostgreSQL ${bench.machine.postgres}, ${bench.options.connections} connections, ${bench.options.seconds} s per scenario. Dashed lines: pgbench ceilings and the p99 target.`,
    series: runs.map((run, i) => ({ name: run.title, color: SERIES_COLORS[i % SERIES_COLORS.length] ?? '#888' })),
    panels: [
      {
        title: 'Throughput',
        unit: 'requests/s',
        rows: rows((r) => r.rps),
        marks: raw
          ? [
              { value: raw.transfer.tps, label: `pgbench transfer ${fmt(raw.transfer.tps)} tps`, color: '#d62728' },
              { value: raw.transfer.tps * TARGETS.transferRatio, label: `transfer target ${TARGETS.transferRatio} × pgbench = ${fmt(raw.transfer.tps * TARGETS.transferRatio)}/s`, color: '#ff9896' },
              { value: raw.selectOnly.tps, label: `pgbench -S ${fmt(raw.selectOnly.tps)} tps`, color: '#7f7f7f' },
              { value: raw.selectOnly.tps * TARGETS.balanceRatio, label: `balance target ${TARGETS.balanceRatio} × pgbench -S = ${fmt(raw.selectOnly.tps * TARGETS.balanceRatio)}/s`, color: '#bbbbbb' },
            ]
          : [],
      },
      {
        title: 'p99 latency',
        unit: 'ms',
        rows: rows((r) => r.p99Ms),
        marks: [{ value: TARGETS.transferP99Ms, label: `transfer p99 target ${TARGETS.transferP99Ms} ms`, color: '#d62728' }],
      },
    ],
  };
}

export interface HistoryEntry {
  readonly file: string;
  readonly bench: BenchRun;
}

function historyTable(history: readonly HistoryEntry[]): string {
  const lines = [
    '| run (label) | load avg | transfer/s (1 worker) | p99 ms | transfer ratio | balance reads/s | balance ratio | transfer/s (2 workers) | pgbench transfer tps | pgbench -S tps |',
    `|${' --- |'.repeat(10)}`,
  ];
  for (const { file, bench } of history) {
    const one = bench.runs.find((r) => r.id === 'api-1w');
    const two = bench.runs.find((r) => r.id === 'api-2w');
    const t1 = findResult(one, 'transfer');
    const b1 = findResult(one, 'balance (cached)');
    const t2 = findResult(two, 'transfer');
    const raw = bench.ceiling;
    // Diagnostic runs without the 1-worker transfer figure (profiles of one scenario) add nothing here.
    if (t1 === undefined) continue;
    lines.push(
      `| ${bench.startedAt.slice(0, 16).replace('T', ' ')} (${bench.label}) [json](runs/${file}) | ${t1.loadBefore.toFixed(2)} | ${fmt(t1.rps)} | ${ms(t1.p99Ms)} | ${raw ? (t1.rps / raw.transfer.tps).toFixed(2) : '–'} | ${fmt(b1?.rps)} | ${raw && b1 ? (b1.rps / raw.selectOnly.tps).toFixed(2) : '–'} | ${fmt(t2?.rps)} | ${fmt(raw?.transfer.tps)} | ${fmt(raw?.selectOnly.tps)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * What bounds the API on this machine, measured in the same run: the API's own transfer SQL
 * through pgbench (no HTTP, no Node), and a bare node:http server under the same load generator.
 */
function boundsSection(bench: BenchRun): string[] {
  const raw = bench.ceiling;
  if (!raw || (!raw.apiTransferSql && !raw.httpFloor)) return [];
  const one = bench.runs.find((r) => r.id === 'api-1w');
  const transfer = findResult(one, 'transfer');
  const balance = findResult(one, 'balance (cached)');
  const out = ['### What bounds the API here (same run)', ''];
  out.push('| bound | measured | the API (1 worker, 1k accounts) | API ÷ bound | pgbench toy ÷ bound |');
  out.push('| --- | --- | --- | --- | --- |');
  if (raw.apiTransferSql) {
    const sqlTps = raw.apiTransferSql.tps;
    out.push(
      `| PostgreSQL running the API's transfer statements (pgbench, -M prepared, no HTTP, no Node; after it: \`${raw.apiTransferSql.ledgerVerify}\`) | ${fmt(sqlTps)} tps, Postgres ${fmt(((raw.apiTransferSql.usage.groups['postgres']?.cores ?? 0) / sqlTps) * 1e6)} µs CPU each | ${fmt(transfer?.rps)} transfers/s | ${transfer ? (transfer.rps / sqlTps).toFixed(2) : '–'} | ${(raw.transfer.tps / sqlTps).toFixed(2)} (pgbench's transfer: ${fmt(((raw.transfer.usage.groups['postgres']?.cores ?? 0) / raw.transfer.tps) * 1e6)} µs CPU each) |`,
    );
  }
  if (raw.httpFloor) {
    const floor = raw.httpFloor;
    out.push(
      `| a bare node:http server answering a fixed body, same load generator and connections | ${fmt(floor.rps)} req/s, p99 ${ms(floor.p99Ms)} ms, server ${fmt(floor.usage.groups['api']?.cores, 2)} cores, load generator ${fmt(floor.usage.groups['load generator']?.cores, 2)} cores | ${fmt(balance?.rps)} cached balance reads/s | ${balance ? (balance.rps / floor.rps).toFixed(2) : '–'} | ${(raw.selectOnly.tps / floor.rps).toFixed(2)} (pgbench -S) |`,
    );
  }
  out.push('');
  return out;
}

/** The Markdown report: headline ratios, the machine, every run's table, the chart, the history, the notes. */
export function reportMarkdown(bench: BenchRun, pngName: string, history: readonly HistoryEntry[], notes: string | undefined): string {
  const m = bench.machine;
  const raw = bench.ceiling;
  const out: string[] = [];
  out.push(`# Benchmark — ${bench.startedAt.slice(0, 10)}`);
  out.push('');
  out.push(
    `Generated by \`pnpm bench${bench.options.big ? ' --big' : ''}\` (label \`${bench.label}\`), ${bench.startedAt} → ${bench.finishedAt}, at commit \`${m.gitCommit.slice(0, 10)}\`${m.gitDirty ? ' (work tree had uncommitted changes)' : ''}.`,
  );
  out.push('');
  out.push('## Machine');
  out.push('');
  out.push(`- ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB.toFixed(0)} GiB, Linux ${m.kernel}`);
  out.push(`- Node ${m.node}; PostgreSQL ${m.postgres} (${m.pgbench}); Redis ${m.redis} (a private redis-server started by the bench)`);
  out.push(
    `- Load: ${bench.options.connections} connections (autocannon, in the bench process on the same machine), ${bench.options.warmupSeconds} s warm-up then ${bench.options.seconds} s measured per scenario. The load average before each scenario is in its row: other work on the machine skews the figures.`,
  );
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push('| figure | measured | target | |');
  out.push('| --- | --- | --- | --- |');
  for (const h of headlines(bench)) out.push(`| ${h.label} | ${h.value} | ${h.target} | ${verdict(h.met)} |`);
  out.push('');
  out.push(`![throughput and p99 per scenario](${pngName})`);
  out.push('');
  if (raw) {
    out.push(`## Raw ceiling: pgbench (scale ${raw.scale}, ${raw.transfer.clients} clients, ${raw.transfer.seconds} s each)`);
    out.push('');
    out.push('| script | tps | avg latency ms | failed | Postgres CPU (cores) | pgbench CPU | machine busy | load avg before |');
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of [raw.transfer, raw.selectOnly, raw.transferPrepared, raw.selectOnlyPrepared, raw.apiTransferSql].filter((x) => x !== undefined)) {
      const name = r === raw.apiTransferSql
        ? `the API's transfer statements ([\`bench/pgbench-api-transfer.sql\`](../pgbench-api-transfer.sql)) on the API's schema, ${fmt(raw.apiTransferSql.accounts)} accounts, -M prepared`
        : r.name.replace('transfer', 'transfer ([`bench/pgbench-transfer.sql`](../pgbench-transfer.sql))').replace('select-only', 'select-only (`-S`)');
      out.push(
        `| ${name} | ${fmt(r.tps)} | ${ms(r.latencyAvgMs)} | ${r.failed} | ${fmt(r.usage.groups['postgres']?.cores, 2)} | ${fmt(r.usage.groups['pgbench']?.cores, 2)} | ${fmt(r.usage.machineBusy * 100)} % | ${r.loadBefore.toFixed(2)} |`,
      );
    }
    out.push('');
    out.push(...boundsSection(bench));
  }
  for (const run of bench.runs) {
    out.push(`## ${run.title}`);
    out.push('');
    const seed = run.seedSeconds !== undefined ? `, seeded with SQL in ${run.seedSeconds.toFixed(0)} s` : ', made through the API';
    out.push(
      `${run.mode === 'postgres' ? `PostgreSQL (scratch database) + Redis, API_WORKERS=${run.workers}, DB_POOL_MAX=${run.poolMax ?? 'default'}` : 'Embedded PGlite, in-process cache and rate limits (no DATABASE_URL, no REDIS_URL)'}; ${fmt(run.accounts)} accounts, ${fmt(run.ledgerLines)} ledger lines before the run${seed}. After the run: \`${run.ledgerVerify}\`.`,
    );
    out.push('');
    out.push(runTable(run));
    out.push('');
  }
  out.push('## How to read this');
  out.push('');
  out.push(
    '- *transfer*: `POST /transfers` between random accounts (the source one of the caller\'s, the destination any account), 0.01–9.99 HTG; *+ Idempotency-Key*: the same with a fresh key each time; *deposit*: `POST /accounts/{id}/transactions` DEPOT; *balance (cached)*: `GET /accounts/{id}/balance` after a warm-up that fills the cache; *transactions page*: `GET /accounts/{id}/transactions?page=1&page_size=20`; *login*: `POST /auth/login` (scrypt N=2^15 by design: bounded by CPU).',
  );
  out.push('- CPU columns are cores used on average over the measured window (2.00 = both cores), summed over the API process and its workers, every postgres backend, the private redis-server, and the bench process that generates the load. *errors* counts every non-2xx answer and socket error.');
  out.push('- Every request is authenticated (JWT verified, session checked against the denylist) and rate limited (counted in Redis), as in production; the limits are only raised by configuration.');
  out.push('');
  if (history.length > 0) {
    out.push('## History of runs');
    out.push('');
    out.push(historyTable(history));
    out.push('');
  }
  if (notes !== undefined) {
    out.push(notes.trim());
    out.push('');
  }
  return out.join('\n');
}
