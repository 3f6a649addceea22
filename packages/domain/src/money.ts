import { type CurrencyCode, minorUnits } from './currency.js';
import { ValidationFailed } from './errors.js';
import { NumberText } from './shared/number-text.js';

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

/** More whole digits than any count of minor units can have (MAX_MINOR has 16). */
const MAX_WHOLE_DIGITS = 17;

export interface AmountLimits {
  /** Largest accepted amount, in major units (e.g. 1000000000 HTG). */
  readonly maxAmount: number;
}

/**
 * Parses a request amount: a JSON number (a JS number, or the NumberText of one that no double
 * holds exactly) or a decimal string ("19.99"). Refuses zero, negatives, NaN/Infinity, more
 * decimals than the currency has, exponents that hide decimals ("1e-3") and anything over
 * `limits.maxAmount`. Throws ValidationFailed on `field`.
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
  if (typeof input === 'number' || input instanceof NumberText) {
    if (typeof input === 'number' && !Number.isFinite(input)) fail('must be a finite number');
    // A double's shortest round-trip text is the decimal the client wrote (1000.5, 1e21, 5e-7);
    // a NumberText is that text when no double holds it.
    const number = typeof input === 'number' ? new NumberText(String(input)) : input;
    if (number.negative) return fail('must be greater than 0');
    // Decimals and size are read off the digits first: 1e-400 or 1e400 are never written out.
    const decimals = Math.max(0, number.digits.length - number.point);
    if (decimals > minorUnits(currency)) return fail(tooManyDecimals(currency));
    if (number.point > MAX_WHOLE_DIGITS) return fail(overMaximum(limits, currency));
    [whole, fraction] = shiftPoint(number);
  } else if (typeof input === 'string') {
    const match = PLAIN_DECIMAL.exec(input);
    if (!match) return fail('must be a decimal number such as "19.99"');
    whole = match[1] ?? '0';
    fraction = match[2] ?? '';
  } else {
    return fail('must be a number or a decimal string');
  }
  const digits = minorUnits(currency);
  if (fraction.length > digits) fail(tooManyDecimals(currency));
  const minor = toMinor(whole, fraction, digits);
  if (minor === 0) fail('must be greater than 0');
  if (minor > maxMinor(limits.maxAmount, digits)) fail(overMaximum(limits, currency));
  return { minor, currency };
}

function tooManyDecimals(currency: CurrencyCode): string {
  const digits = minorUnits(currency);
  return digits === 0 ? `${currency} amounts have no decimals` : `${currency} amounts have at most ${digits} decimals`;
}

function overMaximum(limits: AmountLimits, currency: CurrencyCode): string {
  return `must not exceed ${limits.maxAmount} ${currency}`;
}

/**
 * A number's [whole, fraction] digit strings, exactly. Callers bound the point first (at most
 * MAX_WHOLE_DIGITS whole digits, a fraction no longer than the digits), so the strings stay short.
 */
function shiftPoint({ digits, point }: NumberText): [string, string] {
  if (point <= 0) return ['0', '0'.repeat(-point) + digits];
  if (point >= digits.length) return [digits + '0'.repeat(point - digits.length), ''];
  return [digits.slice(0, point), digits.slice(point)];
}

/**
 * The configured maximum in minor units, truncated to the currency's precision and never above
 * MAX_MINOR (so an amount too large to count exactly, which toMinor makes Infinity, is refused).
 */
function maxMinor(maxAmount: number, digits: number): number {
  if (!Number.isFinite(maxAmount)) return maxAmount > 0 ? MAX_MINOR : 0;
  const max = new NumberText(String(maxAmount));
  if (max.negative) return 0;
  if (max.point > MAX_WHOLE_DIGITS) return MAX_MINOR;
  // A tiny maximum (1e-30) has a point far below its digits: only its first decimals matter.
  if (max.point < -digits) return 0;
  const [whole, fraction] = shiftPoint(max);
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
