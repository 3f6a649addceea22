import { DomainError } from '../errors.js';

/**
 * The store of record could not be reached (connection lost, server down, statement timed out).
 * Adapters throw a subclass; the use case's work did not commit and may be retried by the client.
 */
export class StoreUnavailable extends DomainError {
  readonly code = 'service_unavailable';
}
