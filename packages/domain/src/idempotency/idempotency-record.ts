import type { FieldError } from '../errors.js';
import type { Timestamp } from '../shared/timestamp.js';

/** What the first request under a key produced: its result, or the refusal it got. */
export type RecordedOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly errors: readonly FieldError[] };

export interface IdempotencyRecord {
  readonly userId: string;
  readonly key: string;
  /** The operation and its parameters as canonical text: a retry must present the same. */
  readonly fingerprint: string;
  readonly outcome: RecordedOutcome;
  readonly createdAt: Timestamp;
  readonly expiresAt: Timestamp;
}
