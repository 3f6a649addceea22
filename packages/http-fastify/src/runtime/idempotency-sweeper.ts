import type { SweepIdempotencyOptions, SweepIdempotencyResult } from '@banking/domain';

export interface SweeperLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface IdempotencySweeperOptions {
  /** The use case (banking.sweepIdempotencyRecords.execute). */
  readonly sweep: (options: SweepIdempotencyOptions) => Promise<SweepIdempotencyResult>;
  /** Pause between the end of one sweep and the start of the next. */
  readonly intervalMs: number;
  readonly log: SweeperLog;
}

/**
 * Runs the sweep of expired Idempotency-Key records every `intervalMs` in this API process (every
 * instance runs one; they share the rows, see the use case). The next sweep is scheduled only
 * once the previous one has ended, so two never overlap; a failed sweep (database down) is logged
 * and tried again at the next interval. The timer does not keep the process alive. `stop()`
 * cancels the timer, asks a sweep in progress to stop after its current batch, and resolves once
 * it has: the database can then be closed under nobody.
 */
export class IdempotencySweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly figures = { runs: 0, deletedRecords: 0, failures: 0 };

  constructor(private readonly options: IdempotencySweeperOptions) {}

  /** Schedules the first sweep one interval from now. */
  start(): void {
    if (this.stopped || this.timer !== undefined || this.running !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.sweepOnce().finally(() => {
        this.running = undefined;
        this.start();
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.running;
  }

  /** Sweeps run, records they deleted and sweeps that failed, since start (for /metrics). */
  stats(): Readonly<Record<string, number>> {
    return { ...this.figures };
  }

  private async sweepOnce(): Promise<void> {
    const started = performance.now();
    try {
      const { deleted, complete } = await this.options.sweep({ signal: this.abort.signal });
      this.figures.runs++;
      this.figures.deletedRecords += deleted;
      if (deleted > 0) {
        const ms = Math.round(performance.now() - started);
        this.options.log.info({ deleted, complete, ms }, `idempotency sweep: ${deleted} expired records deleted`);
      }
    } catch (error) {
      this.figures.failures++;
      this.options.log.warn({ err: error }, 'idempotency sweep failed; trying again at the next interval');
    }
  }
}
