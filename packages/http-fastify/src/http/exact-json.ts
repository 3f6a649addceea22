import { randomBytes } from 'node:crypto';
import { NumberText, readJsonNumber } from '@banking/domain';

/**
 * JSON bodies whose numbers keep the text the client wrote where a double would change it.
 *
 * JSON.parse turns `0.009999999999999999999` into 0.01 and `1e400` into Infinity before any rule
 * sees them, and Node 20 has no access to a number's source text. So the text is scanned once for
 * number tokens (outside strings); when every one reads back exactly from its double (nearly every
 * body), the caller parses the text as it is. Otherwise each such token is swapped for a marker
 * string, the text is parsed by the same parser (Fastify's, with its prototype-poisoning checks and
 * no depth limit of ours), and the markers are replaced by the tokens' NumberText. The markers hold
 * a random per-process nonce after a U+0000, so no client string can pass for one; a marker found as
 * an object key means a number stood where JSON allows none (`{1e400: 1}`): malformed.
 *
 * A NumberText is a number, but neither a JS number nor a string: schema validation checks a
 * stand-in double in its place (`checkedValue`), so a lossy number is refused wherever the schema
 * wants a string, and the exact text goes on to the amount rules (parseAmount).
 */

const NONCE = randomBytes(12).toString('hex');
const MARK = `\u0000${NONCE}:`;
const MARK_JSON = `\\u0000${NONCE}:`;

/** For each parsed body that holds a NumberText: the same value with stand-in doubles, to validate. */
const standIns = new WeakMap<object, unknown>();

export interface ExactText {
  /** The text with each lossy number token replaced by a marker string. */
  readonly marked: string;
  /** The text with each lossy number token replaced by its stand-in double. */
  readonly standIn: string;
  /** The NumberText of each marker, by index. */
  readonly numbers: readonly NumberText[];
}

/** The lossy number tokens of a JSON text, or undefined when every number reads back exactly. */
export function exactText(text: string): ExactText | undefined {
  const numbers: NumberText[] = [];
  let marked = '';
  let standIn = '';
  let copied = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i);
      continue;
    }
    if (c !== MINUS && !isDigit(c)) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
    const token = text.slice(i, end);
    // A run that is not a JSON number leaves the text as malformed as it was.
    const value = NUMBER_TOKEN.test(token) ? readJsonNumber(token) : undefined;
    if (value instanceof NumberText) {
      const between = text.slice(copied, i);
      marked += `${between}"${MARK_JSON}${numbers.length}"`;
      standIn += `${between}${String(standInFor(value))}`;
      numbers.push(value);
      copied = end;
    }
    i = end;
  }
  if (numbers.length === 0) return undefined;
  const rest = text.slice(copied);
  return { marked: marked + rest, standIn: standIn + rest, numbers };
}

/**
 * Puts each NumberText back where its marker is in `value` (parsed from `exact.marked`), in place,
 * and remembers `checked` (parsed from `exact.standIn`) as what validation checks. Walks with an
 * explicit stack: a body may nest thousands deep. Throws SyntaxError when a marker is a key.
 */
export function restoreNumbers(value: unknown, checked: unknown, exact: ExactText): unknown {
  const numberAt = (text: string): NumberText | undefined => {
    if (!text.startsWith(MARK)) return undefined;
    return exact.numbers[Number(text.slice(MARK.length))];
  };
  const top = typeof value === 'string' ? numberAt(value) : undefined;
  if (top !== undefined) {
    standIns.set(top, checked);
    return top;
  }
  const pending: object[] = typeof value === 'object' && value !== null ? [value] : [];
  while (pending.length > 0) {
    const node = pending.pop() as Record<string, unknown>;
    for (const key of Object.keys(node)) {
      if (numberAt(key) !== undefined) throw new SyntaxError('a number where a key belongs');
      const child = node[key];
      if (typeof child === 'string') {
        const number = numberAt(child);
        if (number !== undefined) node[key] = number;
      } else if (typeof child === 'object' && child !== null) pending.push(child);
    }
  }
  if (typeof value === 'object' && value !== null) standIns.set(value, checked);
  return value;
}

/** What schema validation checks for a request body: its stand-in twin when it holds a NumberText. */
export function checkedValue(body: unknown): unknown {
  return typeof body === 'object' && body !== null && standIns.has(body) ? standIns.get(body) : body;
}

/**
 * The double checked by the schema in a NumberText's place: the nearest one, stepped to its
 * neighbour on the written value's side of it (as decimals), and finite. A schema bound is written
 * as a short decimal, so `minimum`, `maximum` and `integer` then judge the number as written:
 * 0.49999999999999999999 is below a minimum of 0.5, 1.0000000000000000001 is no integer and is
 * above 1, 1e-400 is above 0, 1e400 is above any maximum.
 */
export function standInFor(number: NumberText): number {
  const nearest = Number(number.text);
  if (!Number.isFinite(nearest)) return nearest > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
  const above = compare(number, new NumberText(String(nearest))) > 0;
  const stepped = neighbour(nearest, above);
  // A written value under 2^52 that no double holds is no integer: a step must not make one.
  return Number.isInteger(stepped) && !Number.isInteger(nearest) ? nearest : stepped;
}

/** The sign of a − b, as decimals. */
function compare(a: NumberText, b: NumberText): number {
  const sign = (n: NumberText) => (n.digits === '' ? 0 : n.negative ? -1 : 1);
  if (sign(a) !== sign(b)) return Math.sign(sign(a) - sign(b));
  if (sign(a) === 0) return 0;
  // Normalised digits (no leading zero): the larger point is the larger magnitude, else the digits decide.
  let magnitude = Math.sign(a.point - b.point);
  if (magnitude === 0) {
    const width = Math.max(a.digits.length, b.digits.length);
    const [x, y] = [a.digits.padEnd(width, '0'), b.digits.padEnd(width, '0')];
    magnitude = x === y ? 0 : x < y ? -1 : 1;
  }
  return sign(a) * magnitude;
}

/** The adjacent double above or below (towards +∞ or −∞). */
function neighbour(double: number, above: boolean): number {
  if (double === 0) return above ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const bits = new BigInt64Array(new Float64Array([double]).buffer);
  // For a negative double, a larger bit pattern is further from zero, i.e. below.
  bits[0] = (bits[0] ?? 0n) + (above === double > 0 ? 1n : -1n);
  return new Float64Array(bits.buffer)[0] ?? double;
}

const NUMBER_TOKEN = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Characters a number token is made of (anything longer than a JSON number stays malformed). */
function isNumberChar(c: number): boolean {
  return isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
}

/** The index after the string that opens at `start` (the end of the text when it never closes). */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return text.length;
}
