/**
 * A decimal written into the JSON text as a number token with exactly these digits.
 *
 * `Number("90000000000000.99")` prints as 90000000000000.98: past 15 significant digits a double
 * cannot carry every cent, so money is never routed through one on its way out. The response
 * serializer (response-serializer.ts) writes `text` where the schema says `type: number`.
 */
export class ExactDecimal {
  constructor(readonly text: string) {
    if (!DECIMAL.test(text)) throw new RangeError(`not a decimal: ${text}`);
  }

  /**
   * Only the response serializer knows how to write one. Anything else (JSON.stringify of a reply
   * that has no response schema) would write `{"text":…}` or a rounded number: refused loudly.
   */
  toJSON(): never {
    throw new TypeError(`ExactDecimal ${this.text} reached a serializer without a response schema`);
  }
}

const DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
