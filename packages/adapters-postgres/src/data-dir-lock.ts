import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * One process owns a data directory: PGlite does not lock it, and two processes on one directory
 * silently corrupt it (each keeps its own copy of the catalog and the WAL position in memory).
 *
 * The lock is a file, `DATA_DIR/owner.lock`, naming its holder (pid, what it is, when it started,
 * host), created atomically (written aside, then hard-linked into place: `link` fails when the
 * name exists, and a reader never sees a half-written file). A process that finds it checks that
 * the holder is alive (`kill(pid, 0)`; on Linux also the holder's start time in /proc, so that a
 * reused pid is not taken for the holder); a dead holder's file is taken over, our own pid in it
 * means an earlier life of this process (a container restarts as pid 1). Nothing has to release
 * it when the holder is killed: the next process sees that the holder is gone.
 *
 * Taking over a stale file is a race of its own (two processes finding the same dead holder must
 * not both win): the takeover is claimed first by creating `owner.lock.takeover-<digest of the
 * stale file>` with the same exclusive create, so exactly one contender may replace that very
 * file (an atomic rename, after checking that it is still the stale one); the others wait for the
 * claim to go and then find the winner's lock. A claimant that dies leaves a stale claim, taken
 * over the same way one level down.
 *
 * Why not flock(2): Node has no binding for it, and the maintained native package (fs-ext) builds
 * with node-gyp at install time, which needs the Node headers downloaded (refused here) or a
 * machine-specific `nodedir`, plus a compiler in the Docker image; a lock must not depend on how
 * the machine was set up.
 */

export const LOCK_FILE = 'owner.lock';

/** Who holds a data directory, as written in its lock file. */
export interface DataDirHolder {
  readonly pid: number;
  /** What the process is: `banking-api`, `pnpm migrate`… */
  readonly name: string;
  /** When that process started (ISO 8601, UTC, to the second). */
  readonly started: string;
  readonly host: string;
  /** Linux: the process' start time in clock ticks after boot (/proc/PID/stat), which tells a reused pid. */
  readonly ticks?: string;
  /** Unique per lock, so that a lock file is never the same bytes twice. */
  readonly token: string;
}

type Refusal = 'alive' | 'foreign' | 'this-process';

/** The data directory is owned by another process (or already open in this one). */
export class DataDirLocked extends Error {
  readonly code = 'data_dir_locked';
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder,
    readonly refusal: Refusal,
    lockPath: string,
  ) {
    super(
      refusal === 'this-process'
        ? `DATA_DIR=${dataDir} is already open in this process (pid ${holder.pid})`
        : refusal === 'foreign'
          ? `DATA_DIR=${dataDir} is in use by ${describeHolder(holder)} on host ${holder.host}, whose processes cannot be seen from ${hostname()} (if it has stopped, delete ${lockPath})`
          : `DATA_DIR=${dataDir} is in use by ${describeHolder(holder)} (one process owns a data directory)`,
    );
    this.name = new.target.name;
  }
}

/** `pid 1234, banking-api started 2026-12-07T19:00:00Z` */
export function describeHolder(holder: DataDirHolder): string {
  return `pid ${holder.pid}, ${holder.name} started ${holder.started}`;
}

export interface DataDirLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file (if it is still ours). Call it once the data is closed. */
  release(): Promise<void>;
}

/** Directories locked by this process (real paths), so that a second open in the same process is refused too. */
const held = new Map<string, DataDirHolder>();

/** How often a contender looks again while another one is taking a stale lock over. */
const RETRY_MS = 20;
/** A lock file that cannot be parsed is stale only once it is this old (a file system without hard links writes it in place). */
const UNREADABLE_GRACE_MS = 2000;
const MAX_ATTEMPTS = 500;
const MAX_CLAIM_DEPTH = 8;

/**
 * Makes this process the owner of `dataDir` (created when missing), or throws `DataDirLocked`
 * naming the live holder. Touches nothing in the directory but the lock file and its siblings.
 */
export async function lockDataDir(dataDir: string, name: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const key = await realpath(dataDir);
  const path = join(key, LOCK_FILE);
  const own = held.get(key);
  if (own !== undefined) throw new DataDirLocked(dataDir, own, 'this-process', path);
  const ticks = procStat(process.pid)?.ticks;
  const holder: DataDirHolder = {
    pid: process.pid,
    name,
    started: new Date(Date.now() - process.uptime() * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    host: hostname(),
    ...(ticks !== undefined && { ticks }),
    token: randomUUID(),
  };
  const content = `${JSON.stringify(holder)}\n`;
  held.set(key, holder);
  try {
    const refusal = await acquire(path, content, 0);
    if (refusal !== undefined) throw new DataDirLocked(dataDir, refusal.holder, refusal.verdict, path);
  } catch (error) {
    held.delete(key);
    throw error;
  }

  // A process that exits without closing (process.exit after a fatal error) leaves no file behind;
  // one that is killed leaves a file whose holder is dead, which the next process takes over.
  const onExit = () => {
    try {
      if (readFileSync(path, 'utf8') === content) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  let released: Promise<void> | undefined;
  return {
    path,
    release: () =>
      (released ??= (async () => {
        process.off('exit', onExit);
        const current = await readFile(path, 'utf8').catch(() => undefined);
        if (current === content) await unlink(path).catch(() => {});
        // Only now: a second open in this process must not see our file as an earlier life's.
        held.delete(key);
      })()),
  };
}

interface Found {
  readonly raw: string;
  readonly holder: DataDirHolder | undefined;
  readonly ageMs: number;
}

/**
 * Creates `path` with `content` unless a live process holds it: undefined when we own it, else
 * the holder. A stale file is replaced under a claim (see the top of this file).
 */
async function acquire(path: string, content: string, depth: number): Promise<{ holder: DataDirHolder; verdict: 'alive' | 'foreign' } | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createExclusive(path, content)) return undefined;
    const found = await read(path);
    if (found === undefined) continue; // released in between
    const verdict = judge(found);
    // (judge() says alive or foreign only of a parsed holder)
    if ((verdict === 'alive' || verdict === 'foreign') && found.holder !== undefined) return { holder: found.holder, verdict };
    if (verdict === 'being-written') {
      await sleep(RETRY_MS);
      continue;
    }
    if (depth >= MAX_CLAIM_DEPTH) break;
    const claim = `${path}.takeover-${createHash('sha256').update(found.raw).digest('hex').slice(0, 16)}`;
    if ((await acquire(claim, content, depth + 1)) !== undefined) {
      // Another live process is taking this very file over: look again once it is done.
      await sleep(RETRY_MS);
      continue;
    }
    try {
      // Only the claimant may replace this file, so it is still the stale one unless the claimant
      // before us already replaced it (and then removed its claim, which let us in).
      if ((await read(path))?.raw === found.raw) {
        await replace(path, content);
        return undefined;
      }
    } finally {
      await unlink(claim).catch(() => {});
    }
  }
  throw new Error(`could not take the lock ${path}: it kept changing`);
}

/** Whether the holder named in a lock file is still there. */
function judge(found: Found): 'alive' | 'foreign' | 'stale' | 'being-written' {
  const { holder } = found;
  // Our files appear whole (link or rename); an unparsable one is a crash's or a hand's leftover,
  // unless it is being written in place right now (no hard links on that file system).
  if (holder === undefined) return found.ageMs < UNREADABLE_GRACE_MS ? 'being-written' : 'stale';
  if (holder.host !== hostname()) return 'foreign';
  // This process' own locks are in `held`: a file naming our pid is from an earlier life.
  if (holder.pid === process.pid) return 'stale';
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'stale';
  }
  const now = procStat(holder.pid);
  if (now !== undefined) {
    if (now.state === 'Z' || now.state === 'X') return 'stale'; // killed, not yet reaped by its parent
    if (holder.ticks !== undefined && now.ticks !== holder.ticks) return 'stale'; // the pid was reused
  }
  return 'alive';
}

async function read(path: string): Promise<Found | undefined> {
  let raw: string;
  let ageMs: number;
  try {
    [raw, ageMs] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => Date.now() - s.mtimeMs)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { raw, holder: parseHolder(raw), ageMs };
}

function parseHolder(raw: string): DataDirHolder | undefined {
  try {
    const value = JSON.parse(raw) as Partial<DataDirHolder>;
    if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0) return undefined;
    if (typeof value.name !== 'string' || typeof value.started !== 'string' || typeof value.host !== 'string' || typeof value.token !== 'string') return undefined;
    if (value.ticks !== undefined && typeof value.ticks !== 'string') return undefined;
    return value as DataDirHolder;
  } catch {
    return undefined;
  }
}

/** Creates `path` holding `content`, whole, unless it exists (false). */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const aside = `${path}.${randomUUID()}.tmp`;
  await writeFile(aside, content, { flag: 'wx' });
  try {
    await link(aside, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
  } finally {
    await unlink(aside).catch(() => {});
  }
  // No hard links here: an exclusive create, then the content (readers wait for it, see judge()).
  try {
    await writeFile(path, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Replaces `path` with `content` in one step. */
async function replace(path: string, content: string): Promise<void> {
  const aside = `${path}.${randomUUID()}.tmp`;
  await writeFile(aside, content, { flag: 'wx' });
  try {
    await rename(aside, path);
  } catch (error) {
    await unlink(aside).catch(() => {});
    throw error;
  }
}

/** Linux: a process' state letter and start time (clock ticks after boot); undefined elsewhere or when it is gone. */
function procStat(pid: number): { state: string; ticks: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const ticks = fields[19];
  return state !== undefined && ticks !== undefined ? { state, ticks } : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
