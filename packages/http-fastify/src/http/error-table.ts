/**
 * The one table from error `code` to HTTP status and problem title. Domain errors are looked up by
 * their `code` (a ReplayedRefusal carries the code of the refusal it replays); HTTP-level refusals
 * use the same codes.
 */
interface ProblemEntry {
  readonly status: number;
  readonly title: string;
}

const ENTRIES = {
  validation_failed: { status: 422, title: 'Validation failed' },
  not_found: { status: 404, title: 'Not found' },
  email_taken: { status: 409, title: 'Email already registered' },
  invalid_credentials: { status: 401, title: 'Invalid credentials' },
  invalid_token: { status: 401, title: 'Invalid token' },
  token_revoked: { status: 401, title: 'Token revoked' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  insufficient_funds: { status: 400, title: 'Insufficient funds' },
  account_frozen: { status: 400, title: 'Account frozen' },
  account_closed: { status: 400, title: 'Account closed' },
  account_not_frozen: { status: 400, title: 'Account not frozen' },
  account_limit_reached: { status: 400, title: 'Account limit reached' },
  currency_mismatch: { status: 400, title: 'Currency mismatch' },
  same_account: { status: 400, title: 'Same account' },
  balance_not_zero: { status: 400, title: 'Balance not zero' },
  balance_limit_exceeded: { status: 400, title: 'Balance limit exceeded' },
  malformed_json: { status: 400, title: 'Malformed JSON' },
  bad_request: { status: 400, title: 'Bad request' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused' },
  idempotency_in_progress: { status: 409, title: 'Idempotency key in use' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  request_timeout: { status: 408, title: 'Request timeout' },
  uri_too_long: { status: 414, title: 'URI too long' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  request_header_fields_too_large: { status: 431, title: 'Request header fields too large' },
  internal_error: { status: 500, title: 'Internal server error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  not_ready: { status: 503, title: 'Not ready' },
} satisfies Record<string, ProblemEntry>;

/** A code the table has. */
export type ProblemCode = keyof typeof ENTRIES;

/** Looked up by a code the table has, the entry is certain; by any other string, it may be missing. */
export const ERROR_TABLE: Readonly<Record<ProblemCode, ProblemEntry> & Partial<Record<string, ProblemEntry>>> = ENTRIES;

export function problemType(code: string): string {
  return `urn:banking:problem:${code}`;
}
