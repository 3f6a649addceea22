import { errorCodes, type FastifyBodyParser, type FastifyRequest } from 'fastify';
import { exactText, restoreNumbers } from './exact-json.js';
import { HttpError } from './http-error.js';

/** The charset parameters of a media type, however spaced or quoted (`charset = "UTF-8"`). */
const CHARSET_PARAMETER = /;\s*charset\s*=\s*("[^"]*"|[^;\s]*)/gi;
const UTF8_LABELS = new Set(['utf-8', 'utf8']);

/**
 * Refuses a body whose Content-Type names a charset other than UTF-8: bodies are read as UTF-8
 * only, and a UTF-16 or Latin-1 body read that way would be another text than the one sent. No
 * charset means UTF-8 (RFC 8259 §8.1; forms are UTF-8 by the WHATWG URL standard).
 */
export function requireUtf8(request: FastifyRequest): void {
  const header = request.headers['content-type'] ?? '';
  for (const [, value = ''] of header.matchAll(CHARSET_PARAMETER)) {
    const charset = value.replace(/^"|"$/g, '').trim().toLowerCase();
    if (!UTF8_LABELS.has(charset)) {
      throw new HttpError(415, 'unsupported_media_type', `Unsupported charset "${charset.slice(0, 40)}": request bodies are read as UTF-8 only.`);
    }
  }
}

/**
 * The JSON body parser: Fastify's own (body limit, empty body, malformed JSON, `__proto__` and
 * `constructor` poisoning refused), on UTF-8 only, with every number that a double would change
 * kept as its exact text (see exact-json.ts).
 */
export function jsonBodyParser(fastifyParser: FastifyBodyParser<string>): FastifyBodyParser<string> {
  return (request, body, done) => {
    try {
      requireUtf8(request);
    } catch (error) {
      done(error as HttpError, undefined);
      return;
    }
    const exact = exactText(body);
    // Fastify's parser answers through `done`, synchronously.
    if (exact === undefined) {
      void fastifyParser(request, body, done);
      return;
    }
    void fastifyParser(request, exact.marked, (error, value) => {
      if (error) {
        done(error, undefined);
        return;
      }
      void fastifyParser(request, exact.standIn, (standInError, checked) => {
        try {
          if (standInError) throw standInError;
          done(null, restoreNumbers(value, checked, exact));
        } catch {
          done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined);
        }
      });
    });
  };
}
