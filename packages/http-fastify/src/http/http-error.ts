/**
 * A refusal decided by the HTTP layer itself (missing token, rate limit, unknown route), rendered
 * like a domain error: problem+json with this `code`.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    detail: string,
    readonly headers: Readonly<Record<string, string | number>> = {},
  ) {
    super(detail);
    this.name = 'HttpError';
  }
}
