import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { checkedValue } from './exact-json.js';

const INTEGER_TEXT = /^-?(?:0|[1-9][0-9]*)$/;
const NUMBER_TEXT = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/**
 * TypeBox validation for every request part. Bodies are checked as sent (no coercion: `"5"` is not
 * a number, `true` is not an amount; a NumberText is checked as a number, see exact-json.ts). Query strings, params and headers arrive as text, so a
 * property declared integer/number/boolean is converted first, strictly: `"2"` → 2, while
 * `"1.5"`, `"1e3"`, `""` or a repeated parameter stay text and fail the type check.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = Compile(schema);
  if (httpPart === 'body') {
    // A number kept as its exact text is checked as its stand-in double; the handler gets the text.
    return (input: unknown) => {
      const checked = checkedValue(input);
      if (validator.Check(checked)) return { value: input };
      return { error: validator.Errors(checked) as unknown as FastifySchemaValidationError[] };
    };
  }
  return (input: unknown) => {
    const value = convertText(schema, input);
    if (validator.Check(value)) return { value };
    return { error: validator.Errors(value) as unknown as FastifySchemaValidationError[] };
  };
};

function convertText(schema: TSchema, input: unknown): unknown {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  if (properties === undefined || typeof input !== 'object' || input === null) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const [name, property] of Object.entries(properties)) {
    const text = out[name];
    if (typeof text !== 'string') continue;
    if (property.type === 'integer' && INTEGER_TEXT.test(text)) out[name] = Number(text);
    else if (property.type === 'number' && NUMBER_TEXT.test(text)) out[name] = Number(text);
    else if (property.type === 'boolean' && (text === 'true' || text === 'false')) out[name] = text === 'true';
  }
  return out;
}
