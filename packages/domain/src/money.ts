import { type CurrencyCode, minorUnits } from './currency.js';
import { ValidationFailed } from './errors.js';

/**
 * An exact amount of money: an integer count of the currency's minor units (cents for HTG).
 * Every arithmetic step stays on safe integers; there is no floating point anywhere.
 */
export interface Money {
  readonly minor: number;
  readonly currency: CurrencyCode;
}

/** The largest count of minor units any amount or balance may reach (2^53 - 1). */
export const MAX_MINOR = Number.MAX_SAFE_INTEGER;

const PLAIN_DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
const JSON_NUMBER_TEXT = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:e([+-]?[0-9]+))?$/;

export interface AmountLimits {
  /** Largest accepted amount, in major units (e.g. 1000000000 HTG). */
  readonly maxAmount: number;
}

/**
 * Parses a request amount: a JSON number or a decimal string ("19.99"). Refuses zero, negatives,
 * NaN/Infinity, more decimals than the currency has, exponents that hide decimals ("1e-3") and
 * anything over `limits.maxAmount`. Throws ValidationFailed on `field`.
 */
export function parseAmount(
  input: unknown,
  currency: CurrencyCode,
  limits: AmountLimits,
  field = 'amount',
): Money {
  const fail = (message: string): never => {
    throw ValidationFailed.field(field, message);
  };
  let whole: string;
  let fraction: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) fail('must be a finite number');
    // The shortest text that round-trips is the decimal the client wrote (1000.5, 1e21, 5e-7).
    const match = JSON_NUMBER_TEXT.exec(String(input));
    if (!match) return fail('must be greater than 0');
    [whole, fraction] = shiftExponent(match[1] ?? '0', match[2] ?? '', Number(match[3] ?? 0));
  } else if (typeof input === 'string') {
    const match = PLAIN_DECIMAL.exec(input);
    if (!match) return fail('must be a decimal number such as "19.99"');
    whole = match[1] ?? '0';
    fraction = match[2] ?? '';
  } else {
    return fail('must be a number or a decimal string');
  }
  const digits = minorUnits(currency);
  if (fraction.length > digits) {
    fail(digits === 0 ? `${currency} amounts have no decimals` : `${currency} amounts have at most ${digits} decimals`);
  }
  const minor = toMinor(whole, fraction, digits);
  if (minor === 0) fail('must be greater than 0');
  if (minor > maxMinor(limits.maxAmount, digits)) fail(`must not exceed ${limits.maxAmount} ${currency}`);
  return { minor, currency };
}

/** Moves the decimal point of whole.fraction by exponent places, exactly, on the digit strings. */
function shiftExponent(whole: string, fraction: string, exponent: number): [string, string] {
  const all = whole + fraction;
  const point = whole.length + exponent;
  if (point <= 0) return ['0', '0'.repeat(-point) + all];
  if (point >= all.length) return [all + '0'.repeat(point - all.length), ''];
  return [all.slice(0, point), all.slice(point)];
}

/**
 * The configured maximum in minor units, truncated to the currency's precision and never above
 * MAX_MINOR (so an amount too large to count exactly, which toMinor makes Infinity, is refused).
 */
function maxMinor(maxAmount: number, digits: number): number {
  const match = JSON_NUMBER_TEXT.exec(String(maxAmount));
  if (!match) return maxAmount > 0 ? MAX_MINOR : 0;
  const [whole, fraction] = shiftExponent(match[1] ?? '0', match[2] ?? '', Number(match[3] ?? 0));
  return Math.min(toMinor(whole, fraction.slice(0, digits), digits), MAX_MINOR);
}

/** Digit strings to minor units; Infinity when too large to be exact (callers compare to a max). */
function toMinor(whole: string, fraction: string, digits: number): number {
  const text = (whole + fraction.padEnd(digits, '0')).replace(/^0+(?=.)/, '');
  if (text.length > 16) return Infinity;
  const minor = Number(text);
  return Number.isSafeInteger(minor) ? minor : Infinity;
}

/** Exact decimal text of a minor-unit count: 100050 HTG → "1000.5", 1999 → "19.99", 5 JPY → "5". */
export function formatMinor(minor: number, currency: CurrencyCode): string {
  const digits = minorUnits(currency);
  const negative = minor < 0;
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits).replace(/0+$/, '');
  return (negative ? '-' : '') + whole + (fraction ? `.${fraction}` : '');
}

export function formatMoney(money: Money): string {
  return formatMinor(money.minor, money.currency);
}

export function money(minor: number, currency: CurrencyCode): Money {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`Not an exact minor-unit amount: ${minor}`);
  return { minor, currency };
}
