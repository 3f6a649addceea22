// A process that takes a data directory's lock (the built dist/data-dir-lock.js) and nothing else:
//   node lock-holder.mjs DIR NAME [AT]
// waits until the epoch millisecond AT (so that several of them race at the same moment), then
// prints `owned PID` and holds the lock until its stdin ends or SIGTERM (then releases it and
// exits 0), or prints `refused MESSAGE` and exits 3.
import { lockDataDir } from '../../dist/data-dir-lock.js';

const [dir, name, at] = process.argv.slice(2);
if (at !== undefined) await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(at) - Date.now())));
try {
  const lock = await lockDataDir(dir, name);
  process.stdout.write(`owned ${process.pid}\n`);
  const stop = async () => {
    await lock.release();
    process.exit(0);
  };
  process.stdin.on('end', stop).resume();
  process.on('SIGTERM', stop);
} catch (error) {
  process.stdout.write(`refused ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(3);
}
