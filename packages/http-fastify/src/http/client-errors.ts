import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ERROR_TABLE, problemType, type ProblemCode } from './error-table.js';

/** What Node's HTTP parser refuses, by its error code: the status's problem code and detail. */
function refusal(errorCode: string | undefined): { code: ProblemCode; detail: string } {
  switch (errorCode) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'request_header_fields_too_large', detail: 'The request line and headers are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'request_timeout', detail: 'The request was not received in time.' };
    default:
      return { code: 'bad_request', detail: 'The request is not valid HTTP (malformed request line or header).' };
  }
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses (headers over the size limit, a
 * NUL or a bare CR in a header, a malformed request line, a request that never finishes) reaches no
 * route, hook or error handler, and would go out as Fastify's own JSON without a request id. Here
 * it is the same problem+json as every other error, with an X-Request-Id (a new one: the request
 * was never parsed, so the client's cannot be read) that the log line carries too.
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { code, detail } = refusal(error.code);
  const entry = ERROR_TABLE[code];
  const requestId = randomUUID();
  // Only the parser's code and reason: the error also holds the raw bytes, which may carry tokens.
  this.log.info({ request_id: requestId, status: entry.status, code, parser_error: error.code, reason: error.message }, 'request refused by the HTTP parser');
  // As Node does: answer unless a response already began on this connection (its bytes would be corrupted).
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && (inFlight == null || !inFlight.headersSent)) {
    const body = JSON.stringify({ type: problemType(code), title: entry.title, status: entry.status, detail: `${detail} Reference: ${requestId}.`, code });
    socket.write(
      `HTTP/1.1 ${entry.status} ${entry.title}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'X-Content-Type-Options: nosniff\r\n' +
        'Cache-Control: no-store\r\n' +
        'Connection: close\r\n' +
        `\r\n${body}`,
    );
  }
  socket.destroy(error);
}
