import { readdirSync, readFileSync } from 'node:fs';

// CPU and memory of processes read from /proc (Linux): utime+stime in clock ticks (USER_HZ,
// 100 on Linux), VmRSS in kB. The sampler sums a group of processes (an API primary and its
// cluster workers; every postgres backend) so that a figure covers the whole component.

const TICKS_PER_SECOND = 100;

interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** CPU seconds used so far (user + system). */
  readonly cpuSeconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm is in parentheses and may contain spaces: the fields after the last ')' are fixed.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { pid, comm, ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
}

function readRssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** A group of processes: one pid, a root pid and its descendants, or every process with a given name. */
export type ProcessGroup =
  | { readonly kind: 'pid'; readonly pid: number }
  | { readonly kind: 'tree'; readonly root: number }
  | { readonly kind: 'name'; readonly comm: string };

function members(group: ProcessGroup, stats: readonly ProcStat[]): ProcStat[] {
  if (group.kind === 'pid') return stats.filter((s) => s.pid === group.pid);
  if (group.kind === 'name') return stats.filter((s) => s.comm === group.comm);
  const pids = new Set([group.root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of stats) {
      if (!pids.has(s.pid) && pids.has(s.ppid)) {
        pids.add(s.pid);
        grew = true;
      }
    }
  }
  return stats.filter((s) => pids.has(s.pid));
}

/** Machine-wide busy and total jiffies (all cores), from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export interface GroupUsage {
  /** Average number of cores used over the window (1.0 = one core fully busy). */
  readonly cores: number;
  readonly cpuSeconds: number;
  /** Largest summed resident set seen while sampling, in MiB. */
  readonly peakRssMiB: number;
}

export interface UsageReport {
  readonly seconds: number;
  /** Share of all the machine's cores that were busy (0–1). */
  readonly machineBusy: number;
  readonly groups: Readonly<Record<string, GroupUsage>>;
}

/**
 * Samples the named process groups every `intervalMs`: CPU time per pid (a process that exits
 * keeps the CPU it had used at its last sample: pgbench's backends end with it) and summed RSS.
 */
export class ProcSampler {
  /** Per group, per pid: CPU seconds at first sight (0 for a process born after start) and at last sight. */
  private readonly cpu = new Map<string, Map<number, { first: number; last: number }>>();
  private readonly peakRss = new Map<string, number>();
  private startMachine = machineTicks();
  private startedAt = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(
    private readonly groups: Readonly<Record<string, ProcessGroup>>,
    private readonly intervalMs = 250,
  ) {}

  private sample(): void {
    const stats = allStats();
    for (const [name, group] of Object.entries(this.groups)) {
      let pids = this.cpu.get(name);
      if (pids === undefined) this.cpu.set(name, (pids = new Map<number, { first: number; last: number }>()));
      let rss = 0;
      for (const s of members(group, stats)) {
        const seen = pids.get(s.pid);
        if (seen) seen.last = s.cpuSeconds;
        else pids.set(s.pid, { first: this.started ? 0 : s.cpuSeconds, last: s.cpuSeconds });
        rss += readRssKb(s.pid);
      }
      this.peakRss.set(name, Math.max(this.peakRss.get(name) ?? 0, rss / 1024));
    }
  }

  start(): void {
    this.sample();
    this.started = true;
    this.startMachine = machineTicks();
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): UsageReport {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const machine = machineTicks();
    const groups: Record<string, GroupUsage> = {};
    for (const name of Object.keys(this.groups)) {
      let used = 0;
      for (const { first, last } of this.cpu.get(name)?.values() ?? []) used += Math.max(0, last - first);
      groups[name] = { cpuSeconds: used, cores: used / seconds, peakRssMiB: this.peakRss.get(name) ?? 0 };
    }
    const total = machine.total - this.startMachine.total;
    return { seconds, machineBusy: total > 0 ? (machine.busy - this.startMachine.busy) / total : 0, groups };
  }
}

/** The 1-minute load average, as /proc/loadavg gives it. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
