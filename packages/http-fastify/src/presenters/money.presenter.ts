import { formatMinor, type CurrencyCode } from '@banking/domain';

/**
 * Minor units as a JSON number whose text is the exact decimal: 100050 HTG → 1000.5. Exact: the
 * shortest text of a double parsed from a decimal of at most 16 significant digits is that decimal.
 */
export function moneyOut(minor: number, currency: CurrencyCode): number {
  return Number(formatMinor(minor, currency));
}
