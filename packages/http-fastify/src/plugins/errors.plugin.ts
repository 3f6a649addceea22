import { DomainError, ReplayedRefusal, StoreUnavailable, ValidationFailed, type FieldError } from '@banking/domain';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ERROR_TABLE, problemType } from '../http/error-table.js';
import { HttpError } from '../http/http-error.js';
import { toFieldErrors } from '../http/schema-errors.js';

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

interface Rendered {
  readonly code: string;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly status?: number;
}

/** Fastify's own refusals (body parsing, content types), by error code. */
const FASTIFY_CODES: Record<string, Rendered> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    detail: 'Unsupported Content-Type: send application/json (application/x-www-form-urlencoded for /auth/token).',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', detail: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed_json', detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'malformed_json',
    detail: 'The request body is empty although Content-Type says application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad_request', detail: 'Content-Length does not match the body.' },
  // Refused by the router before any route runs (Fastify's frameworkErrors).
  FST_ERR_BAD_URL: { code: 'bad_request', detail: 'The URL is malformed (invalid percent-encoding).' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'uri_too_long', detail: 'A path segment is too long (at most 100 characters).' },
};

/**
 * Fastify's `frameworkErrors`: what the router refuses before any route or error handler runs
 * (a malformed URL, an over-long path parameter) would otherwise go out as Fastify's own JSON with
 * its internal error code.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // No onRequest hook ran: the request id header is set here.
  reply.header('x-request-id', request.id);
  sendProblem(reply, { ...render(error, request, reply) });
}

/** Sends an RFC 9457 problem for `code` (looked up in the error table). */
export function sendProblem(reply: FastifyReply, problem: Rendered & Record<string, unknown>): FastifyReply {
  const entry = ERROR_TABLE[problem.code] ?? ERROR_TABLE.internal_error;
  const { code, detail, errors, headers, status, ...extensions } = problem;
  const body: ProblemBody = {
    type: problemType(code),
    title: entry.title,
    status: status ?? entry.status,
    detail,
    code,
    ...(errors !== undefined && { errors }),
    ...extensions,
  };
  if (headers) for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

/** The same detail sentence whether the schema or the domain found the problem. */
function validationProblem(errors: readonly FieldError[]): Rendered {
  return { code: 'validation_failed', detail: `The request is invalid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}.`, errors };
}

function render(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): Rendered {
  if (error instanceof HttpError) return { code: error.code, detail: error.message, headers: error.headers, status: error.statusCode };
  if (error instanceof StoreUnavailable) {
    // Its message names the database (host, DATA_DIR): for the log, never for the client.
    request.log.warn({ err: error }, 'database unavailable');
    return { code: 'service_unavailable', detail: 'A dependency is unavailable; retry shortly.', headers: { 'retry-after': 1 } };
  }
  if (error instanceof DomainError && ERROR_TABLE[error.code] !== undefined) {
    if (error instanceof ReplayedRefusal) reply.header('idempotent-replayed', 'true');
    const errors = error instanceof ValidationFailed || error instanceof ReplayedRefusal ? error.errors : [];
    if (error.code === 'validation_failed' && errors.length > 0) return validationProblem(errors);
    return { code: error.code, detail: error.message, ...(error.code === 'validation_failed' && { errors }) };
  }
  // Not every error that reaches here is Fastify's: its fields may all be missing.
  const fastifyError: Partial<FastifyError> = error;
  if (fastifyError.validation) return validationProblem(toFieldErrors(fastifyError.validation, fastifyError.validationContext));
  const known = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
  if (known) return known;
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    request.log.info({ err: error }, 'request refused by the framework');
    if (status === 404) return { code: 'not_found', detail: 'Not found.' };
    return { code: 'bad_request', detail: 'The request could not be understood.', status };
  }
  request.log.error({ err: error }, 'unhandled error');
  return { code: 'internal_error', detail: `An unexpected error occurred. Reference: ${request.id}.` };
}

/** Every error becomes application/problem+json; nothing internal (stack, SQL, messages) leaves the process. */
// eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: avvio fails register() on a rejection, while a synchronous throw escapes it
async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const rendered = render(error, request, reply);
    return sendProblem(reply, { ...rendered });
  });
}

export default fp(errorsPlugin, { name: 'banking-errors', fastify: '5.x' });
