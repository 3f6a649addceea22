/** SQLSTATEs after which re-running the whole transaction is correct and likely to succeed. */
const RETRYABLE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

// Two account openings drawing the same random number at the same moment: the loser re-runs and
// draws another. (Every other unique rule has its own answer: email → EmailTaken, idempotency →
// claim, ids → UUIDs.)
const RETRYABLE_UNIQUE = new Set(['accounts_number_key']);

export function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (typeof code !== 'string') return false;
  return RETRYABLE.has(code) || (code === '23505' && typeof constraint === 'string' && RETRYABLE_UNIQUE.has(constraint));
}
