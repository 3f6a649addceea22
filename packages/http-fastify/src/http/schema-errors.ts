import type { FieldError } from '@banking/domain';
import type { FastifySchemaValidationError } from 'fastify';

/** The request part a schema error is about (Fastify's SchemaErrorDataVar, not exported). */
export type SchemaErrorDataVar = 'body' | 'headers' | 'params' | 'querystring';

/** Field names of request parts whose contract spelling differs from the raw one. */
const PART_FIELD_NAMES: Partial<Record<SchemaErrorDataVar, Record<string, string>>> = {
  headers: { 'idempotency-key': 'Idempotency-Key' },
};

const FORMAT_NAMES: Record<string, string> = { uuid: 'a UUID', 'date-time': 'an ISO 8601 date-time', email: 'an email address' };

/**
 * Turns schema validation errors into the contract's `errors: [{field, message}]`: one entry per
 * field, named the way the client wrote it (`amount`, `page_size`, `from_account_id`), `body` for a
 * body that is not an object.
 */
export function toFieldErrors(errors: readonly FastifySchemaValidationError[], part: SchemaErrorDataVar | undefined): FieldError[] {
  const fields = new Map<string, string>();
  const add = (path: string, message: string): void => {
    const field = fieldName(path, part);
    if (!fields.has(field)) fields.set(field, message);
  };
  for (const error of errors) {
    const path = error.instancePath;
    const params = error.params as Record<string, unknown>;
    const schemaPath = error.schemaPath;
    // A union's branches fail one by one; its own anyOf error says it once.
    if (schemaPath.includes('/anyOf/')) continue;
    switch (error.keyword) {
      case 'boolean':
        if (schemaPath.endsWith('/additionalProperties')) add(path, 'is not allowed');
        else add(path, error.message ?? 'is invalid');
        break;
      case 'additionalProperties':
        for (const name of (params.additionalProperties as string[] | undefined) ?? []) add(`${path}/${name}`, 'is not allowed');
        break;
      case 'required':
        for (const name of (params.requiredProperties as string[] | undefined) ?? []) add(`${path}/${name}`, 'is required');
        break;
      case 'anyOf':
        add(path, unionMessage(errors, path));
        break;
      case 'enum':
        add(path, `must be one of ${((params.allowedValues as unknown[] | undefined) ?? []).join(', ')}`);
        break;
      case 'format':
        add(path, `must be ${FORMAT_NAMES[String(params.format)] ?? `a valid ${String(params.format)}`}`);
        break;
      case 'pattern':
        add(path, 'has an invalid format');
        break;
      case 'minimum':
        add(path, `must be at least ${String(params.limit)}`);
        break;
      case 'maximum':
        add(path, `must be at most ${String(params.limit)}`);
        break;
      case 'minLength':
        add(path, Number(params.limit) === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`);
        break;
      case 'maxLength':
        add(path, `must be at most ${String(params.limit)} characters long`);
        break;
      case 'type':
        add(path, `must be ${article(String(params.type))}`);
        break;
      default:
        add(path, error.message ?? 'is invalid');
    }
  }
  return [...fields].map(([field, message]) => ({ field, message }));
}

function unionMessage(errors: readonly FastifySchemaValidationError[], path: string): string {
  const types = errors
    .filter((e) => e.instancePath === path && e.keyword === 'type' && e.schemaPath.includes('/anyOf/'))
    .map((e) => String((e.params as { type?: unknown }).type));
  if (types.includes('number') && types.includes('string')) return 'must be a number or a decimal string';
  if (types.length > 0) return `must be ${types.map(article).join(' or ')}`;
  return 'is invalid';
}

function article(type: string): string {
  switch (type) {
    case 'integer':
      return 'an integer';
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return `a ${type}`;
  }
}

function fieldName(path: string, part: SchemaErrorDataVar | undefined): string {
  const segments = path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (segments.length === 0) return part === 'body' || part === undefined ? 'body' : part;
  const [first, ...rest] = segments as [string, ...string[]];
  const renamed = (part && PART_FIELD_NAMES[part]?.[first]) ?? first;
  return [renamed, ...rest].join('.');
}
