import { createClient, ErrorReply } from 'redis';
import { ALL_SCRIPTS, type LuaScript } from './lua-scripts.js';
import { TimeoutError, withTimeout } from './with-timeout.js';

export interface RedisLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface RedisConnectionOptions {
  readonly url: string;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Largest backoff between two reconnection attempts. */
  readonly maxReconnectDelayMs: number;
  /** How often a degraded connection checks whether Redis answers again. */
  readonly probeIntervalMs: number;
  readonly log: RedisLog;
}

/** Runs before the connection is declared healthy again; a throw keeps it degraded. */
export type RecoveryStep = (connection: RedisConnection) => Promise<void>;

type State = 'down' | 'healthy' | 'closed';

/**
 * One node-redis client plus the state the adapters rely on.
 *
 * `healthy` means: the socket is ready, the last command did not fail, and every recovery step
 * (script load, cache epoch bump, denylist re-push) ran since the last failure. Any timeout or
 * connection error makes it `down`; while down, adapters do not wait on Redis (cache misses,
 * per-instance rate limit, local denylist), and a probe brings it back through the recovery
 * steps. Commands never queue while disconnected (`disableOfflineQueue`), the queue is bounded,
 * and every command is raced against `commandTimeoutMs`: node-redis' own command timeout stops
 * counting once a command is written, which is exactly when a paused server stops answering.
 */
export class RedisConnection {
  private readonly client: ReturnType<typeof createClient>;
  private state: State = 'down';
  /** Bumped on every failure, so a recovery that raced a failure does not declare health. */
  private failureSeq = 0;
  private recovering: Promise<void> | undefined;
  private outstandingProbe: Promise<unknown> | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly recoverySteps: RecoveryStep[] = [];
  private everHealthy = false;
  private startFailureLogged = false;
  private healthyWaiters: (() => void)[] = [];
  reconnects = 0;
  /** Incremented each time the connection goes from healthy to down (one outage). */
  outages = 0;

  constructor(private readonly options: RedisConnectionOptions) {
    const maxDelay = options.maxReconnectDelayMs;
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      commandsQueueMaxLength: 5000,
      disableClientInfo: true,
      // No node-redis command timeout: `send` already races every command against
      // commandTimeoutMs, and node-redis' default (5 s) arms an AbortSignal.timeout per command, a
      // timer that fires after the reply anyway and builds a DOMException (measured: ~2 % of the
      // API's CPU under load).
      commandOptions: { timeout: 0 },
      socket: {
        connectTimeout: options.connectTimeoutMs,
        // Capped exponential backoff with jitter; never gives up.
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), maxDelay) + Math.floor(Math.random() * 50),
      },
    });
    this.client.on('error', (error: unknown) => this.fail(error));
    this.client.on('end', () => this.fail(new Error('connection ended')));
    this.client.on('ready', () => void this.recover());
  }

  get log(): RedisLog {
    return this.options.log;
  }

  get commandTimeoutMs(): number {
    return this.options.commandTimeoutMs;
  }

  /** Starts connecting (in the background: never throws when Redis is down). */
  start(): void {
    this.client.connect().catch(() => {
      // Rejected only when closed while connecting; failures are reported through 'error'.
    });
    this.scheduleProbe();
  }

  /** Resolves when healthy, or after `ms` (whichever comes first). */
  waitHealthy(ms: number): Promise<void> {
    if (this.state === 'healthy') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.healthyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  addRecoveryStep(step: RecoveryStep): void {
    this.recoverySteps.push(step);
  }

  isHealthy(): boolean {
    return this.state === 'healthy';
  }

  /** Whether commands can be written right now (the socket is up), healthy or not. */
  isWritable(): boolean {
    return this.state !== 'closed' && this.client.isReady;
  }

  /** Sends a command, or throws on error or after the command timeout (and marks the connection down). */
  async send(args: readonly string[]): Promise<unknown> {
    if (this.state === 'closed') throw new Error('Redis connection closed');
    const reply = this.client.sendCommand([...args]);
    try {
      return await withTimeout(reply, this.options.commandTimeoutMs);
    } catch (error) {
      if (!(error instanceof ErrorReply)) this.fail(error);
      throw error;
    }
  }

  /** EVALSHA, falling back to EVAL when the server does not know the script. */
  async eval(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.send(['EVALSHA', script.sha1, ...tail]);
    } catch (error) {
      if (!(error instanceof ErrorReply) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.send(['EVAL', script.source, ...tail]);
    }
  }

  /** PING within the command timeout; rejects when Redis does not answer or is still recovering. */
  async ping(): Promise<void> {
    await this.send(['PING']);
    if (this.state !== 'healthy') {
      await this.recover();
      if (!this.isHealthy()) throw new Error('Redis is recovering from an outage');
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.probeTimer);
    for (const wake of this.healthyWaiters.splice(0)) wake();
    if (this.client.isReady) {
      try {
        await withTimeout(this.client.close(), this.options.commandTimeoutMs);
        return;
      } catch {
        // fall through: a paused server never answers the close
      }
    }
    this.client.destroy();
  }

  /** Records a failure: the connection is down until a probe succeeds and recovery runs. */
  fail(error: unknown): void {
    if (this.state === 'closed') return;
    this.failureSeq++;
    if (!this.everHealthy && !this.startFailureLogged) {
      this.startFailureLogged = true;
      this.options.log.warn({ err: describe(error) }, 'Redis unreachable at start-up: running degraded, reconnecting in the background');
    }
    if (this.state === 'healthy') {
      this.state = 'down';
      this.outages++;
      this.options.log.warn(
        { err: describe(error) },
        'Redis unavailable: cache bypassed, rate limits per instance, denylist answered from the local copy',
      );
    }
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.probeTimer !== undefined || this.state !== 'down') return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.state !== 'down') return;
      if (this.client.isReady) void this.recover();
      this.scheduleProbe();
    }, this.options.probeIntervalMs);
    this.probeTimer.unref();
  }

  /** Single-flight: PING (one at a time, so a paused server does not pile them up), then the recovery steps. */
  private recover(): Promise<void> {
    if (this.state !== 'down' || !this.client.isReady) return Promise.resolve();
    this.recovering ??= this.runRecovery().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  private async runRecovery(): Promise<void> {
    const seq = this.failureSeq;
    try {
      if (this.outstandingProbe === undefined) {
        const probe = this.client.sendCommand(['PING']);
        this.outstandingProbe = probe;
        probe
          .catch(() => undefined)
          .finally(() => {
            this.outstandingProbe = undefined;
          });
      }
      // The probe is behind every command written before it: once it answers, they have all run.
      await withTimeout(this.outstandingProbe, this.options.commandTimeoutMs);
      await Promise.all(ALL_SCRIPTS.map((script) => this.send(['SCRIPT', 'LOAD', script.source])));
      for (const step of this.recoverySteps) await step(this);
    } catch (error) {
      if (!(error instanceof TimeoutError) && !(error instanceof ErrorReply)) this.fail(error);
      return;
    }
    if (seq !== this.failureSeq || this.state !== 'down') return;
    this.state = 'healthy';
    if (this.everHealthy) {
      this.reconnects++;
      this.options.log.info({ reconnects: this.reconnects }, 'Redis available again');
    }
    this.everHealthy = true;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    for (const wake of this.healthyWaiters.splice(0)) wake();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
