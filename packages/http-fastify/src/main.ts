import 'reflect-metadata';
import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { loggerOptions } from './app.js';
import { ConfigError, loadConfig, type AppConfig } from './config.js';
import { compose, createContainer } from './container.js';

/** How long in-flight requests may take to finish after SIGTERM/SIGINT before the process gives up. */
const SHUTDOWN_GRACE_MS = 10_000;

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

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** One API process: open the stores, serve, and on SIGTERM/SIGINT drain then close everything. */
async function serve(config: AppConfig, warnings: readonly string[]): Promise<void> {
  const log = pino(loggerOptions(config.logLevel));
  for (const warning of warnings) log.warn(warning);
  let composed: Awaited<ReturnType<typeof compose>>;
  try {
    composed = await compose(createContainer(config, log));
  } catch (error) {
    log.fatal({ err: error }, `start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.exit(1);
  }
  closeWithGrace(
    { delay: SHUTDOWN_GRACE_MS, logger: { error: (message: unknown) => log.error({ detail: message }, 'shutdown') } },
    async ({ signal, err }) => {
      if (err) log.error({ err }, 'fatal error, shutting down');
      else log.info({ signal }, 'shutting down: draining in-flight requests');
      await composed.close();
      log.info('closed');
    },
  );
  await composed.app.listen({ host: config.host, port: config.port });
  const address = composed.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const base = `http://${displayHost(config.host)}:${port}`;
  if (!cluster.isWorker || cluster.worker?.id === 1) {
    log.info({ url: base, docs: `${base}/docs`, worker: cluster.worker?.id }, `API listening on ${base} — docs at ${base}/docs`);
  }
}

/** API_WORKERS > 1: a primary that forks the workers (they share the port), restarts crashed ones and forwards signals. */
function supervise(config: AppConfig): void {
  const log = pino(loggerOptions(config.logLevel));
  let stopping = false;
  for (let i = 0; i < config.apiWorkers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error({ worker: worker.id, code, signal }, 'worker exited; starting another');
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 2000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const { config, warnings } = readConfig();
if (config.apiWorkers > 1 && cluster.isPrimary) supervise(config);
else await serve(config, warnings);
