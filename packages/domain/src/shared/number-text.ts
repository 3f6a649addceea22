/** RFC 8259 number grammar: sign, whole part, fraction, exponent. */
const JSON_NUMBER = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;

/**
 * A number as a client wrote it in JSON, for the values whose nearest double is another value
 * (`0.009999999999999999999` is not 0.01, `1e400` is not Infinity, `9007199254740993` is not 2^53):
 * a request is judged on what was written, never on a rounding of it. `readJsonNumber` decides which
 * numbers need one; the amount rules read it (see parseAmount).
 *
 * The value is `(negative ? -1 : 1) × 0.digits × 10^point`, with `digits` free of the zeros that carry
 * no value (so `1e400` is digits "1", point 401, and is never written out in full).
 */
export class NumberText {
  readonly negative: boolean;
  /** The significant digits, no leading or trailing zeros ('' for zero). */
  readonly digits: string;
  /** Where the decimal point sits relative to `digits` (may be far outside them, or ±Infinity). */
  readonly point: number;

  constructor(readonly text: string) {
    const match = JSON_NUMBER.exec(text);
    if (!match) throw new RangeError(`not a JSON number: ${text.slice(0, 40)}`);
    const all = (match[2] ?? '') + (match[3] ?? '');
    const leading = all.length - all.replace(/^0+/, '').length;
    this.digits = all.slice(leading).replace(/0+$/, '');
    this.negative = match[1] === '-' && this.digits !== '';
    this.point = this.digits === '' ? 0 : (match[2] ?? '').length - leading + Number(match[4] ?? 0);
  }

  /** The same value, whatever the spelling (`1000.0` and `1e3`, `-0` and `0`). */
  sameValue(other: NumberText): boolean {
    return this.negative === other.negative && this.digits === other.digits && this.point === other.point;
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}

/**
 * The value of a JSON number token: a JS number when its double is exactly the written value's
 * shortest form (`1000.0`, `1e2`, `0.1`, `-0`), else the NumberText of what was written.
 */
export function readJsonNumber(text: string): number | NumberText {
  const written = new NumberText(text);
  const double = Number(text);
  // String() gives the shortest text that round-trips (`1e+21` included, which is JSON too).
  if (Number.isFinite(double) && written.sameValue(new NumberText(String(double)))) return double;
  return written;
}
