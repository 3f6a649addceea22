// Errors that say the database cannot be used right now, rather than that this request is wrong:
// the unit of work rethrows them as DatabaseUnavailable, which the API answers with 503.
const SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout fired (a stuck or overloaded server)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, recovery)
  '53300', // too_many_connections
  '3D000', // invalid_catalog_name: the database is gone
]);
const SYSCALL_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const PG_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Client has encountered a connection error|Client was closed and is not queryable)/;

export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (SQLSTATES.has(code) || code.startsWith('08') || SYSCALL_CODES.has(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return typeof message === 'string' && PG_MESSAGES.test(message);
}
