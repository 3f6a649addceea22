import type { FastifyRequest } from 'fastify';

/**
 * Query-string parameters whose values are secrets. A client that puts a token in the URL (an
 * OAuth redirect, a misconfigured SDK, a link copied from a browser) must not leave it in the logs.
 */
export const SECRET_QUERY_PARAMETERS: ReadonlySet<string> = new Set(['access_token', 'refresh_token', 'token', 'password', 'code', 'otp']);

export const REDACTED = '[redacted]';

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/**
 * The URL with the value of every secret query parameter (names compared decoded and
 * case-insensitively) replaced by `[redacted]`; everything else is kept as sent.
 */
export function redactQuery(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const pairs = url.slice(mark + 1).split('&');
  let changed = false;
  for (const [i, pair] of pairs.entries()) {
    const equals = pair.indexOf('=');
    const name = equals < 0 ? pair : pair.slice(0, equals);
    if (!SECRET_QUERY_PARAMETERS.has(decodedName(name))) continue;
    pairs[i] = `${name}=${REDACTED}`;
    changed = true;
  }
  return changed ? `${url.slice(0, mark)}?${pairs.join('&')}` : url;
}

/**
 * pino's `req` serializer: Fastify's own fields, with the URL's secrets redacted. Installed on the
 * logger itself, so it applies to every line that logs a request, whoever wrote it.
 */
export function requestForLog(request: Pick<FastifyRequest, 'method' | 'url' | 'host' | 'ip'> & Partial<Pick<FastifyRequest, 'headers' | 'socket'>>) {
  // Fastify's serializer type says string/number where its own serializer may give undefined.
  return {
    method: request.method,
    url: typeof request.url === 'string' ? redactQuery(request.url) : request.url,
    version: request.headers?.['accept-version'] as string,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort as number,
  };
}
