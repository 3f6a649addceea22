import type { FastifySerializerCompiler } from 'fastify';
import fastJson from 'fast-json-stringify';
import { ExactDecimal } from './exact-decimal.js';

/** What fast-json-stringify's generated code calls to write values (see `debug` mode). */
interface Serializer {
  asNumber(value: unknown): string;
}

interface DebugBuild {
  readonly code: string;
  readonly validator: unknown;
  readonly serializer: Serializer;
}

type Restore = (build: DebugBuild) => (data: unknown) => string;

/**
 * Fastify's serializer compiler for response schemas: fast-json-stringify, compiled from each
 * route's schema (undeclared properties never leave, required ones must be there, values are
 * coerced to the declared type), with one addition: money.
 *
 * fast-json-stringify writes a `type: number` value as `'' + Number(value)`, which rounds past 15
 * significant digits, and has no hook for a raw number token. Its debug mode hands back the
 * generated code and the serializer object that code calls, and `restore` rebuilds the function
 * around a serializer of our choosing: ours writes an ExactDecimal's digits as they are and passes
 * everything else to fast-json-stringify's own `asNumber`. The code is still fast-json-stringify's,
 * compiled from the schema; only the number writer is extended, and no text is rewritten after the
 * fact. test/response-serializer.test.ts pins this against the installed fast-json-stringify.
 *
 * An ExactDecimal must sit directly under a `type: number` schema: `anyOf` branches are chosen by
 * Ajv, which sees an object, so a nullable amount says `nullable: true` (NullableMoneyOut).
 */
export function compileResponseSerializer(schema: object): (data: unknown) => string {
  const build = fastJson(schema, { mode: 'debug' }) as unknown as DebugBuild;
  const base = build.serializer;
  const exact = Object.create(base, {
    asNumber: { value: (value: unknown) => (value instanceof ExactDecimal ? value.text : base.asNumber(value)) },
  }) as Serializer;
  return (fastJson.restore as unknown as Restore)({ ...build, serializer: exact });
}

/** One compiled serializer per schema object: most routes list the same few (Problem for each error status, Account…). */
const compiled = new WeakMap<object, (data: unknown) => string>();

/** `app.setSerializerCompiler(serializerCompiler)`. */
export const serializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  const key = schema as object;
  let serialize = compiled.get(key);
  if (serialize === undefined) {
    serialize = compileResponseSerializer(key);
    compiled.set(key, serialize);
  }
  return serialize;
};
