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
    const params = error.params;
    // A union's branches fail one by one; its own anyOf error speaks for them (see unionMessage).
    if (error.schemaPath.includes('/anyOf/')) continue;
    switch (error.keyword) {
      case 'additionalProperties':
        for (const name of (params.additionalProperties as string[] | undefined) ?? []) add(`${path}/${name}`, 'is not allowed');
        break;
      case 'required':
        for (const name of (params.requiredProperties as string[] | undefined) ?? []) add(`${path}/${name}`, 'is required');
        break;
      case 'anyOf':
        add(path, unionMessage(errors, error));
        break;
      default:
        add(path, describe(error));
    }
  }
  return [...fields].map(([field, message]) => ({ field, message }));
}

/** The message for one error about one value (not the keywords that name other fields). */
function describe(error: FastifySchemaValidationError): string {
  const params = error.params;
  switch (error.keyword) {
    case 'boolean':
      return error.schemaPath.endsWith('/additionalProperties') ? 'is not allowed' : (error.message ?? 'is invalid');
    case 'enum':
      return `must be one of ${((params.allowedValues as unknown[] | undefined) ?? []).join(', ')}`;
    case 'format':
      return `must be ${FORMAT_NAMES[String(params.format)] ?? `a valid ${String(params.format)}`}`;
    case 'pattern':
      return 'has an invalid format';
    case 'minimum':
      return `must be at least ${String(params.limit)}`;
    case 'maximum':
      return `must be at most ${String(params.limit)}`;
    case 'minLength':
      return Number(params.limit) === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters long`;
    case 'type':
      return `must be ${article(String(params.type))}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/**
 * What a failed union (nullable or optional field, number-or-string amount) says. When the value has
 * the type of one branch, that branch's broken rule is the answer ("must be at most 255 characters
 * long", not "must be a null"); when it has none of their types, the types it may have.
 */
function unionMessage(errors: readonly FastifySchemaValidationError[], union: FastifySchemaValidationError): string {
  const prefix = `${union.schemaPath}/anyOf/`;
  const branches = new Map<string, FastifySchemaValidationError[]>();
  for (const e of errors) {
    const within = e.instancePath === union.instancePath || e.instancePath.startsWith(`${union.instancePath}/`);
    if (!within || !e.schemaPath.startsWith(prefix)) continue;
    const branch = e.schemaPath.slice(prefix.length).split('/', 1)[0] ?? '';
    branches.set(branch, [...(branches.get(branch) ?? []), e]);
  }
  const types: string[] = [];
  for (const [first, ...rest] of branches.values()) {
    if (first === undefined) continue;
    const wrongType = [first, ...rest].find((e) => e.keyword === 'type' && e.instancePath === union.instancePath);
    if (wrongType === undefined) return relativeMessage(first, union.instancePath);
    types.push(String(wrongType.params.type));
  }
  if (types.includes('number') && types.includes('string')) return 'must be a number or a decimal string';
  if (types.length > 0) return `must be ${types.map(article).join(' or ')}`;
  return 'is invalid';
}

/** An error inside the union's value (an object branch's property) names the property it is about. */
function relativeMessage(error: FastifySchemaValidationError, unionPath: string): string {
  const params = error.params;
  const names =
    error.keyword === 'required' ? params.requiredProperties : error.keyword === 'additionalProperties' ? params.additionalProperties : undefined;
  const inner = fieldName(error.instancePath.slice(unionPath.length), undefined);
  const subject = inner === 'body' ? '' : `${inner} `;
  if (Array.isArray(names) && names.length > 0) {
    return `${subject}${names.join(', ')} ${error.keyword === 'required' ? 'is required' : 'is not allowed'}`.trim();
  }
  return `${subject}${describe(error)}`;
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
