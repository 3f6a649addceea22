/** ISO 4217 currencies this bank holds, with their number of minor units. */
const MINOR_UNITS = {
  HTG: 2, USD: 2, EUR: 2, GBP: 2, CAD: 2, CHF: 2, DOP: 2, MXN: 2, BRL: 2, XCD: 2,
  JPY: 0, KRW: 0, XOF: 0, XAF: 0, CLP: 0,
  KWD: 3, BHD: 3, TND: 3,
} as const;

export type CurrencyCode = keyof typeof MINOR_UNITS;

export const DEFAULT_CURRENCY: CurrencyCode = 'HTG';

export const CURRENCY_CODES = Object.keys(MINOR_UNITS) as readonly CurrencyCode[];

export function isCurrencyCode(code: string): code is CurrencyCode {
  return Object.hasOwn(MINOR_UNITS, code);
}

export function minorUnits(currency: CurrencyCode): number {
  return MINOR_UNITS[currency];
}
