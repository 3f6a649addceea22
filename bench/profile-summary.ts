// Summarises a V8 .cpuprofile (node --cpu-prof, e.g. from `pnpm bench --cpu-prof`): self time by
// package/area and by function, and inclusive time of chosen functions.
//
//   node bench/dist/profile-summary.js bench/tmp/profiles/<run>/<file>.cpuprofile [top=30] [function…]
// With function names after `top`: where their self time comes from (the 12 frames above them).
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a frame's code lives: a workspace package, an npm package, node itself, or V8/GC. */
export function area(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace && !url.includes('/node_modules/')) return `@banking/${workspace[1]}`;
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? url;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

function main(): void {
  const file = process.argv[2];
  const top = Number(process.argv[3] ?? 30);
  if (file === undefined) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;

  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, time] of self) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const where = area(node.callFrame);
    byArea.set(where, (byArea.get(where) ?? 0) + time);
    const key = `${node.callFrame.functionName || '(anonymous)'}  ${where}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + time);
  }
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
  console.log(`profile: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s wall, ${(busy / 1e6).toFixed(1)} s on CPU (idle ${(idle / 1e6).toFixed(1)} s)`);
  console.log('\nself time by area:');
  for (const [where, time] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(time)}  ${where}`);
  console.log('\nself time by function:');
  for (const [key, time] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(time)}  ${key}`);

  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  for (const wanted of process.argv.slice(4)) {
    const stacks = new Map<string, number>();
    for (const [id, time] of self) {
      if (byId.get(id)?.callFrame.functionName !== wanted) continue;
      const frames: string[] = [];
      for (let at = parent.get(id); at !== undefined && frames.length < 12; at = parent.get(at)) {
        const frame = byId.get(at)?.callFrame;
        if (frame) frames.push(`${frame.functionName || '(anonymous)'}@${area(frame)}`);
      }
      const key = frames.join(' < ');
      stacks.set(key, (stacks.get(key) ?? 0) + time);
    }
    console.log(`\n${wanted}: self time by callers`);
    for (const [key, time] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${pct(time)}  ${key}`);
  }
}

main();
