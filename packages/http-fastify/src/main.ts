import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import { errorReason } from '@banking/adapters-postgres';
import closeWithGrace from 'close-with-grace';
import pino, { type Logger } from 'pino';
import { loggerOptions } from './app.js';
import { ConfigError, loadConfig, type AppConfig } from './config.js';
import { compose, createContainer } from './container.js';
import { crashRestartDelay, startUpGiveUpAfter } from './runtime/supervision.js';

/** How long in-flight requests may take to finish after SIGTERM/SIGINT before the process gives up. */
const SHUTDOWN_GRACE_MS = 10_000;
/** What a cluster worker tells the primary before it exits because it could not start. */
const START_UP_FAILED = 'banking:start-up-failed';
/**
 * Fastify logs "Server listening at …" once per address (per network interface with HOST=0.0.0.0)
 * and in every worker; the process prints its own ready line instead, once. Fastify's text is
 * replaced by this marker, which the logger drops.
 */
const FASTIFY_LISTEN_TEXT = '\u0000fastify-listening';

function readConfig(): { config: AppConfig; warnings: readonly string[] } {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function createLogger(config: AppConfig): Logger {
  return pino({
    ...loggerOptions(config.logLevel),
    hooks: {
      logMethod(args, method) {
        if (args[0] === FASTIFY_LISTEN_TEXT) return;
        method.apply(this, args);
      },
    },
  });
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function readyLine(log: Logger, host: string, port: number, workers?: number): void {
  const base = `http://${displayHost(host)}:${port}`;
  log.info({ url: base, docs: `${base}/docs`, ...(workers !== undefined && { workers }) }, `API listening on ${base} — docs at ${base}/docs`);
}

/** Why the process could not start, in one line an operator can act on. */
function startUpReason(error: unknown): string {
  // "Cannot reach the database…" reads as the rest of "start-up failed: …".
  return errorReason(error).replace(/^[A-Z](?=[a-z])/, (letter) => letter.toLowerCase());
}

/** Why listen() failed, naming what to change. */
function listenFailure(error: unknown, config: AppConfig): string {
  const where = `port ${config.port} on ${config.host}`;
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return `${where} is already in use`;
    case 'EACCES':
      return `no permission to listen on ${where}`;
    case 'EADDRNOTAVAIL':
      return `HOST=${config.host} is not an address of this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST=${config.host} cannot be resolved`;
    default:
      return `cannot listen on ${where}: ${startUpReason(error)}`;
  }
}

/**
 * Start-up failed: one line on stderr and exit 1, never a stack. A cluster worker tells its
 * primary instead, which retries or gives up with that line.
 */
async function startUpFailed(reason: string): Promise<never> {
  if (cluster.isWorker && process.send !== undefined && process.connected) {
    try {
      process.send({ type: START_UP_FAILED, reason }, () => process.exit(1));
      return await new Promise<never>(() => {});
    } catch {
      // the primary is gone: say it here
    }
  }
  process.stderr.write(`start-up failed: ${reason}\n`);
  process.exit(1);
}

/** One API process: open the stores, serve, and on SIGTERM/SIGINT drain then close everything. */
async function serve(config: AppConfig, warnings: readonly string[]): Promise<void> {
  const log = createLogger(config);
  for (const warning of warnings) log.warn(warning);
  let composed: Awaited<ReturnType<typeof compose>>;
  try {
    composed = await compose(createContainer(config, log));
  } catch (error) {
    return startUpFailed(startUpReason(error));
  }
  const grace = closeWithGrace(
    { delay: SHUTDOWN_GRACE_MS, logger: { error: (message: unknown) => log.error({ detail: message }, 'shutdown') } },
    async ({ signal, err }) => {
      if (err) log.error({ err }, 'fatal error, shutting down');
      else log.info({ signal }, 'shutting down: draining in-flight requests');
      await composed.close();
      log.info('closed');
    },
  );
  try {
    await composed.app.listen({ host: config.host, port: config.port, listenTextResolver: () => FASTIFY_LISTEN_TEXT });
  } catch (error) {
    // Never listened: nothing to drain and nothing to say about shutting down, just why.
    grace.uninstall();
    await composed.close().catch(() => {});
    return startUpFailed(listenFailure(error, config));
  }
  // A cluster's primary says it once for all its workers.
  if (cluster.isWorker) return;
  const address = composed.app.server.address();
  readyLine(log, config.host, typeof address === 'object' && address !== null ? address.port : config.port);
}

/**
 * API_WORKERS > 1: a primary that forks the workers (they share the port), restarts crashed ones
 * and forwards signals. Restarts back off exponentially while workers keep crashing; when workers
 * keep failing before they ever listen (the database is unreachable, the port is taken) and none
 * is serving, it gives up with their reason, as a single process would.
 */
function supervise(config: AppConfig, warnings: readonly string[]): void {
  const log = createLogger(config);
  for (const warning of warnings) log.warn(warning);
  // A key made up for this run must be the same in every worker, or a token would only work on
  // the worker that issued it.
  const workerEnv = config.secretKeyGenerated ? { SECRET_KEY: config.secretKey } : {};
  const giveUpAfter = startUpGiveUpAfter(config.apiWorkers);
  const readySince = new Map<number, number>();
  const reasons = new Map<number, string>();
  const pending = new Set<NodeJS.Timeout>();
  let crashStreak = 0;
  let startFailures = 0;
  let announced = false;
  let stopping = false;

  const fork = (): Worker => {
    const worker = cluster.fork(workerEnv);
    worker.on('message', (message: unknown) => {
      const { type, reason } = (message ?? {}) as { type?: unknown; reason?: unknown };
      if (type === START_UP_FAILED && typeof reason === 'string') reasons.set(worker.id, reason);
    });
    return worker;
  };
  for (let i = 0; i < config.apiWorkers; i++) fork();

  cluster.on('listening', (worker, address) => {
    readySince.set(worker.id, Date.now());
    log.debug({ worker: worker.id, pid: worker.process.pid }, 'worker listening');
    startFailures = 0;
    if (!announced) {
      announced = true;
      readyLine(log, config.host, address.port, config.apiWorkers);
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    const since = readySince.get(worker.id);
    readySince.delete(worker.id);
    const reason = reasons.get(worker.id) ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
    reasons.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    const servedMs = since === undefined ? undefined : Date.now() - since;
    if (since === undefined) startFailures++;
    if (startFailures >= giveUpAfter && readySince.size === 0) {
      stopping = true;
      process.stderr.write(`start-up failed: ${reason} (${startFailures} workers in a row failed to start; giving up)\n`);
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGKILL');
      process.exit(1);
    }
    const delayMs = crashRestartDelay(servedMs, crashStreak);
    crashStreak = delayMs === 0 ? 0 : crashStreak + 1;
    const fields = { worker: worker.id, code, signal, reason, restart_in_ms: delayMs };
    if (since === undefined) log.warn(fields, `worker failed at start-up; starting another in ${delayMs} ms`);
    else log.error(fields, `worker exited after serving ${servedMs} ms; starting another in ${delayMs} ms`);
    const timer = setTimeout(() => {
      pending.delete(timer);
      if (!stopping) fork();
    }, delayMs);
    pending.add(timer);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping workers');
    for (const timer of pending) clearTimeout(timer);
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.process.kill(signal);
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 2000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const { config, warnings } = readConfig();
if (config.apiWorkers > 1 && cluster.isPrimary) supervise(config, warnings);
else await serve(config, cluster.isWorker ? [] : warnings);
