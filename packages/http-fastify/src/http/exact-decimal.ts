import { randomBytes } from 'node:crypto';

/**
 * A decimal written into the JSON text as a number token with exactly these digits.
 *
 * `Number("90000000000000.99")` prints as 90000000000000.98: past 15 significant digits a double
 * cannot carry every cent, so money is never routed through one on its way out. The value
 * serialises to a marked string, and `serializeJson` turns each marked string back into a bare
 * number token. The mark holds a random per-process nonce after a U+0000 (which the domain refuses
 * in client text anyway), so no client-supplied string can pass for one; the replaced text is only
 * ever digits.
 */
export class ExactDecimal {
  constructor(readonly text: string) {
    if (!DECIMAL.test(text)) throw new RangeError(`not a decimal: ${text}`);
  }

  toJSON(): string {
    return `${MARK}${this.text}`;
  }
}

const NONCE = randomBytes(12).toString('hex');
const MARK = `\u0000${NONCE}:`;
const DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
const MARKED = new RegExp(`"\\\\u0000${NONCE}:(-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?)"`, 'g');

/** JSON text of a response, with every ExactDecimal as a bare number token. */
export function serializeJson(data: unknown): string {
  return JSON.stringify(data).replace(MARKED, '$1');
}
