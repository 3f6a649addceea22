import type { Schema } from './openapi-routes.js';

/**
 * An independent reading of the OpenAPI schemas and of the contract's rules, used as the oracle of
 * the hostile-input proof: given what was sent, which answers are right. It implements the subset
 * of JSON Schema the document uses (type, nullable, enum, anyOf, required, properties,
 * additionalProperties, min/maxLength in code points, pattern, format uuid, minimum/maximum).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const codePoints = (text: string): number => [...text].length;

function typeOk(type: string | undefined, value: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return false;
  }
}

/** The fields (JSON names; `body` for the whole body) whose value the schema refuses. */
export function schemaErrors(schema: Schema, value: unknown, field = 'body'): string[] {
  if (value === null && schema.nullable) return [];
  if (schema.anyOf) return schema.anyOf.some((s) => schemaErrors(s, value, field).length === 0) ? [] : [field];
  if (!typeOk(schema.type, value)) return [field];
  if (schema.enum && !schema.enum.includes(value)) return [field];
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && codePoints(value) < schema.minLength) return [field];
    if (schema.maxLength !== undefined && codePoints(value) > schema.maxLength) return [field];
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return [field];
    if (schema.format === 'uuid' && !UUID.test(value)) return [field];
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return [field];
    if (schema.maximum !== undefined && value > schema.maximum) return [field];
  }
  if (schema.type === 'object' && typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const errors: string[] = [];
    for (const name of schema.required ?? []) if (!(name in record)) errors.push(name);
    for (const [name, v] of Object.entries(record)) {
      const property = schema.properties?.[name];
      if (property) errors.push(...schemaErrors(property, v, name));
      else if (schema.additionalProperties === false) errors.push(name);
    }
    return errors;
  }
  return [];
}

/** The exact decimal text of a JSON number as the API receives it (JS shortest round-trip form, exponent expanded). */
function decimalText(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const text = String(Math.abs(n));
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (!match) return undefined;
  const digits = (match[1] ?? '') + (match[2] ?? '');
  const point = (match[1] ?? '').length + Number(match[3] ?? 0);
  const whole = point <= 0 ? '0' : digits.slice(0, point).padEnd(point, '0');
  const fraction = point <= 0 ? '0'.repeat(-point) + digits : digits.slice(point);
  return `${n < 0 || Object.is(n, -0) ? '-' : ''}${whole.replace(/^0+(?=\d)/, '')}${fraction.replace(/0+$/, '') ? `.${fraction.replace(/0+$/, '')}` : ''}`;
}

/**
 * The contract's amount rule for HTG (2 decimals): > 0, no more decimals than the currency has,
 * at most MAX_AMOUNT; a JSON number or a plain decimal string (no sign, exponent, spaces or
 * leading zeros). Returns the amount in minor units, or undefined when it must be refused.
 */
export function amountMinor(value: unknown, maxAmount: number): number | undefined {
  let text: string | undefined;
  if (typeof value === 'number') text = decimalText(value);
  else if (typeof value === 'string' && /^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(value)) text = value;
  if (text === undefined || text.startsWith('-')) return undefined;
  const [whole = '', fraction = ''] = text.split('.');
  if (fraction.length > 2) return undefined;
  if (whole.length > 13) return undefined;
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (minor <= 0 || minor > maxAmount * 100) return undefined;
  return minor;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const EMAIL = /^[^\s@\u0000-\u001f\u007f]+@[^\s@\u0000-\u001f\u007f]+\.[^\s@\u0000-\u001f\u007f]+$/;

/** Text with a lone UTF-16 surrogate cannot be stored as it was sent (UTF-8 has no such character). */
const wellFormed = (text: string): boolean => !/[\uD800-\uDFFF]/u.test(text);

/** Free text the contract accepts: at most 255 characters, no control characters ('' and null mean none). */
export const descriptionOk = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === 'string' && codePoints(value) <= 255 && !CONTROL.test(value) && wellFormed(value));

export const emailOk = (value: string): boolean => {
  const email = value.trim().toLowerCase();
  return email.length <= 254 && EMAIL.test(email) && wellFormed(email);
};

export const passwordOk = (value: string): boolean => codePoints(value) >= 8 && codePoints(value) <= 128 && wellFormed(value);

export const fullNameOk = (value: string): boolean => codePoints(value.trim()) >= 1 && codePoints(value.trim()) <= 255 && !CONTROL.test(value) && wellFormed(value);

/** A query-string integer as the API converts it: plain digits (optional minus), nothing else. */
export const queryInteger = (text: string): number | undefined => (/^-?(0|[1-9][0-9]*)$/.test(text) ? Number(text) : undefined);

/** Visible ASCII, 1 to 255 characters. */
export const idempotencyKeyOk = (key: string): boolean => /^[\x21-\x7e]{1,255}$/.test(key);
