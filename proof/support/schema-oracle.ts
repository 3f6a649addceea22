import type { Schema } from './openapi-routes.js';

/**
 * An independent reading of the OpenAPI schemas and of the contract's rules, used as the oracle of
 * the hostile-input proof: given what was sent, which answers are right. It implements the subset
 * of JSON Schema the document uses (type, nullable, enum, anyOf, required, properties,
 * additionalProperties, min/maxLength in code points, pattern, format uuid, minimum/maximum).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const codePoints = (text: string): number => Array.from(text).length;

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

/**
 * A JSON number's text as minor units of a 2-decimal currency, read exactly (exponents included,
 * never written out in full); undefined when it is not > 0, has more than 2 decimals, or more than
 * 13 whole digits.
 */
function numberTextMinor(text: string): number | undefined {
  const match = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (!match) return undefined;
  // value = digits × 10^exponent, without the zeros that carry no value.
  let digits = (match[2] ?? '') + (match[3] ?? '');
  let exponent = Number(match[4] ?? 0) - (match[3] ?? '').length;
  digits = digits.replace(/^0+/, '');
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  if (digits === '' || match[1] === '-') return undefined;
  if (exponent < -2 || digits.length + exponent > 13) return undefined;
  return Number(digits) * 10 ** (exponent + 2);
}

/**
 * The contract's amount rule for HTG (2 decimals): > 0, no more decimals than the currency has,
 * at most MAX_AMOUNT; a JSON number or a plain decimal string (no sign, exponent, spaces or
 * leading zeros). A JSON number is judged on its exact text: `numberText` when the request was
 * written by hand (`0.009999999999999999999` parses to 0.01 but has 21 decimals), else the text
 * JSON.stringify gives the value. Returns the amount in minor units, or undefined when it must be
 * refused.
 */
export function amountMinor(value: unknown, maxAmount: number, numberText?: string): number | undefined {
  let minor: number | undefined;
  if (typeof value === 'number') minor = Number.isFinite(value) || numberText !== undefined ? numberTextMinor(numberText ?? JSON.stringify(value)) : undefined;
  else if (typeof value === 'string' && /^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(value)) {
    const [whole = '', fraction = ''] = value.split('.');
    minor = fraction.length > 2 || whole.length > 13 ? undefined : Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  }
  if (minor === undefined || minor <= 0 || minor > maxAmount * 100) return undefined;
  return minor;
}

// eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- an email address holds no control character
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
