import type { CurrencyCode } from '../currency.js';
import type { Timestamp } from '../shared/timestamp.js';

/** A completed transfer between two accounts of the same currency. Failed transfers leave no trace. */
export interface Transfer {
  readonly id: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly fromAccountNumber: string;
  readonly toAccountNumber: string;
  /** Minor units, > 0. */
  readonly amount: number;
  readonly currency: CurrencyCode;
  readonly description: string | null;
  /** Minor units: the source account's balance right after the transfer. */
  readonly fromBalanceAfter: number;
  readonly createdAt: Timestamp;
}
