import type { Timestamp } from '@banking/domain';

/**
 * BIGINT arrives as a string from `pg` (and may be a number or a bigint elsewhere): parsed here,
 * once. A value that is not a safe integer would be silently rounded by JavaScript, so it is a
 * loud failure instead.
 */
export function toSafeInteger(value: string | number | bigint, column: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || (typeof value === 'string' && !/^-?\d+$/.test(value))) {
    throw new RangeError(`Column ${column} holds ${String(value)}, which is not a safe integer`);
  }
  return number;
}

/** timestamptz → the domain's ISO 8601 UTC text with milliseconds. */
export function toTimestamp(value: Date | string): Timestamp {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a timestamp: ${String(value)}`);
  return date.toISOString();
}

export function toNullableTimestamp(value: Date | string | null): Timestamp | null {
  return value === null ? null : toTimestamp(value);
}

/** json comes back parsed from both drivers; a string is tolerated. */
export function fromJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

// Ids are made by the domain as lower-case RFC 4122 text; any other string names no row. Checking
// here keeps Postgres from refusing the cast (22P02), which would abort the transaction.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

const ACCOUNT_NUMBER = /^[0-9]{12}$/;

export function isAccountNumber(value: string): boolean {
  return ACCOUNT_NUMBER.test(value);
}
