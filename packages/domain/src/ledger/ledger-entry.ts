import type { CurrencyCode } from '../currency.js';
import type { Timestamp } from '../shared/timestamp.js';

export const TRANSACTION_TYPES = ['DEPOT', 'RETRAIT', 'VIREMENT'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export type Direction = 'CREDIT' | 'DEBIT';

/** One line of an account's ledger: a single movement and the balance it left. Never changed. */
export interface LedgerEntry {
  readonly id: string;
  readonly accountId: string;
  /** The account version this movement produced: orders an account's lines, newest = highest. */
  readonly sequence: number;
  readonly type: TransactionType;
  readonly direction: Direction;
  /** Minor units, > 0. */
  readonly amount: number;
  readonly currency: CurrencyCode;
  /** Minor units: the account's balance right after this line. */
  readonly balanceAfter: number;
  readonly description: string | null;
  readonly transferId: string | null;
  readonly counterpartyAccountNumber: string | null;
  readonly createdAt: Timestamp;
}

export const DESCRIPTION_MAX_LENGTH = 255;
