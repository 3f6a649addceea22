import type { LoadResult } from './load.js';
import type { Ceiling } from './pgbench.js';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly postgres: string;
  readonly pgbench: string;
  readonly redis: string;
  readonly gitCommit: string;
  readonly gitDirty: boolean;
}

export interface ApiRun {
  /** Short key: api-1w, api-2w, embedded, api-1m… */
  readonly id: string;
  readonly title: string;
  readonly mode: 'postgres' | 'pglite';
  readonly workers: number;
  readonly poolMax: number | undefined;
  readonly accounts: number;
  readonly ledgerLines: number;
  readonly seedSeconds: number | undefined;
  readonly results: readonly LoadResult[];
  /** The ledger:verify line after the run (money invariants over the whole database). */
  readonly ledgerVerify: string;
}

export interface BenchRun {
  readonly label: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly options: { readonly seconds: number; readonly warmupSeconds: number; readonly connections: number; readonly big: boolean };
  readonly machine: MachineInfo;
  readonly ceiling: Ceiling | undefined;
  readonly runs: readonly ApiRun[];
}

export function findResult(run: ApiRun | undefined, scenario: string): LoadResult | undefined {
  return run?.results.find((r) => r.scenario === scenario);
}
