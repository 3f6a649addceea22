import type { BankingDeps } from '../banking-deps.js';
import { addSeconds, timestamp } from '../shared/timestamp.js';

/** The contract keeps an Idempotency-Key's outcome at least this long. */
export const MIN_IDEMPOTENCY_RETENTION_SECONDS = 24 * 60 * 60;

export interface SweepIdempotencyOptions {
  /** Records deleted per unit of work (default 500): each batch is one short transaction. */
  readonly batchSize?: number;
  /** Batches per call (default: as many as it takes); what is left waits for the next call. */
  readonly maxBatches?: number;
  /** Checked before each batch: once aborted, the call returns after the batch in flight. */
  readonly signal?: { readonly aborted: boolean };
}

export interface SweepIdempotencyResult {
  readonly deleted: number;
  /** False when the call stopped early (maxBatches reached, or aborted): more may be left. */
  readonly complete: boolean;
}

const DEFAULT_BATCH_SIZE = 500;

/**
 * Deletes the Idempotency-Key records that have expired and are older than the retention
 * (`policy.idempotencyTtlSeconds`), in bounded batches, one unit of work each, so that a sweep
 * never holds many rows for long. Several sweeps may run at once (one per API instance): a
 * record is deleted by one of them, and one being rewritten by a movement is left alone.
 */
export class SweepIdempotencyRecords {
  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'clock' | 'policy'>) {}

  async execute(options: SweepIdempotencyOptions = {}): Promise<SweepIdempotencyResult> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer (got ${batchSize})`);
    const retention = this.deps.policy.idempotencyTtlSeconds;
    if (!(retention >= MIN_IDEMPOTENCY_RETENTION_SECONDS)) {
      throw new RangeError(`idempotencyTtlSeconds must be at least ${MIN_IDEMPOTENCY_RETENTION_SECONDS} to sweep (got ${retention})`);
    }
    // One "now" for the whole call: a batch never reaches further than the first one did, and
    // the call ends even while new records keep expiring.
    const now = timestamp(this.deps.clock.now());
    const createdBy = addSeconds(now, -retention);
    let deleted = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      if (options.signal?.aborted) return { deleted, complete: false };
      const count = await this.deps.uow.run((tx) => tx.idempotency.deleteExpired(now, createdBy, batchSize));
      deleted += count;
      if (count < batchSize) return { deleted, complete: true };
    }
    return { deleted, complete: false };
  }
}
