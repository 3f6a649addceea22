import type { BankingDeps } from '../banking-deps.js';
import {
  DomainError,
  IdempotencyInProgress,
  IdempotencyKeyReused,
  ReplayedRefusal,
  ValidationFailed,
} from '../errors.js';
import type { Decision, Movement } from '../movements/movement.js';
import type { TransactionContext } from '../ports.js';
import { addSeconds, timestamp, type Timestamp } from '../shared/timestamp.js';
import type { RecordedOutcome } from './idempotency-record.js';

export interface IdempotencyScope {
  readonly userId: string;
  /** The client's Idempotency-Key; without one every call is a new operation. */
  readonly key?: string | undefined;
  /** Canonical text of the operation and its parameters. */
  readonly fingerprint: string;
}

export interface Idempotent<T> {
  readonly value: T;
  /** True when `value` is the recorded result of an earlier call with the same key. */
  readonly replayed: boolean;
}

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs a money movement at most once per (user, key), in one unit of work with the record of its
 * outcome. `decide` locks, checks and returns what it decided (its result and the movement that
 * makes it true) without writing anything; this records the movement, with the outcome under
 * the key when there is one, in one call. A retry with the same key and parameters gets the
 * recorded result (or the recorded refusal, as a ReplayedRefusal); other parameters get
 * IdempotencyKeyReused; a retry while the first call still runs gets IdempotencyInProgress.
 *
 * A DomainError thrown by `decide` is a refusal: with a key, it is committed as the record alone
 * (a movement with no change and no event), then rethrown.
 */
export async function runIdempotent<T>(
  deps: Pick<BankingDeps, 'uow' | 'clock' | 'policy'>,
  scope: IdempotencyScope,
  decide: (tx: TransactionContext, now: Timestamp) => Promise<Decision<T>>,
): Promise<Idempotent<T>> {
  const { key } = scope;
  if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw ValidationFailed.field('Idempotency-Key', 'must be 1 to 255 visible ASCII characters');
  }
  if (key === undefined) {
    const value = await deps.uow.run(async (tx) => {
      const { result, movement } = await decide(tx, timestamp(deps.clock.now()));
      await tx.movements.record(movement);
      return result;
    });
    return { value, replayed: false };
  }
  let refusal: DomainError | undefined;
  const { outcome, replayed } = await deps.uow.run(async (tx) => {
    refusal = undefined;
    const now = timestamp(deps.clock.now());
    if (!(await tx.idempotency.claim(scope.userId, key))) throw new IdempotencyInProgress();
    const existing = await tx.idempotency.find(scope.userId, key, now);
    if (existing !== undefined) {
      if (existing.fingerprint !== scope.fingerprint) throw new IdempotencyKeyReused();
      return { outcome: existing.outcome, replayed: true };
    }
    let outcome: RecordedOutcome;
    let movement: Movement = { events: [] };
    try {
      const decision = await decide(tx, now);
      outcome = { ok: true, value: decision.result };
      movement = decision.movement;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      refusal = error;
      const errors = error instanceof ValidationFailed || error instanceof ReplayedRefusal ? error.errors : [];
      outcome = { ok: false, code: error.code, message: error.message, errors };
    }
    await tx.movements.record({
      ...movement,
      idempotencyRecord: {
        userId: scope.userId,
        key,
        fingerprint: scope.fingerprint,
        outcome,
        createdAt: now,
        expiresAt: addSeconds(now, deps.policy.idempotencyTtlSeconds),
      },
    });
    return { outcome, replayed: false };
  });
  if (outcome.ok) return { value: outcome.value as T, replayed };
  if (!replayed && refusal !== undefined) throw refusal;
  throw new ReplayedRefusal(outcome.code, outcome.message, outcome.errors);
}

/** Canonical text of an operation's parameters, for comparing a retry with the first call. */
export function fingerprint(operation: string, params: Record<string, unknown>): string {
  return JSON.stringify([operation, Object.keys(params).sort().map((name) => [name, params[name] ?? null])]);
}
