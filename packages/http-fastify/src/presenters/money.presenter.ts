import { formatMinor, type CurrencyCode } from '@banking/domain';
import { ExactDecimal } from '../http/exact-decimal.js';

/** Minor units as a JSON number whose text is the exact decimal: 100050 HTG → 1000.5, 5 JPY → 5. */
export function moneyOut(minor: number, currency: CurrencyCode): ExactDecimal {
  return new ExactDecimal(formatMinor(minor, currency));
}
