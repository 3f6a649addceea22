import type { CurrencyCode } from '../currency.js';
import {
  AccountClosed,
  AccountFrozen,
  AccountNotFrozen,
  BalanceLimitExceeded,
  BalanceNotZero,
  InsufficientFunds,
} from '../errors.js';
import { formatMinor, MAX_MINOR, type Money } from '../money.js';
import type { Timestamp } from '../shared/timestamp.js';

export const ACCOUNT_TYPES = ['COURANT', 'EPARGNE'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export const ACCOUNT_STATUSES = ['ACTIVE', 'FROZEN', 'CLOSED'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const ACCOUNT_NUMBER_LENGTH = 12;

export interface Account {
  readonly id: string;
  /** 12 random digits, unique: what other customers send transfers to. */
  readonly number: string;
  readonly ownerId: string;
  readonly type: AccountType;
  readonly currency: CurrencyCode;
  /** In minor units of `currency`; never negative. */
  readonly balance: number;
  readonly status: AccountStatus;
  /** Incremented by every change; a ledger line carries the version its movement produced. */
  readonly version: number;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
}

function changed(account: Account, change: Partial<Pick<Account, 'balance' | 'status'>>, at: Timestamp): Account {
  return { ...account, ...change, version: account.version + 1, updatedAt: at };
}

/** Money may only move on an ACTIVE account. */
export function assertCanMoveMoney(account: Account): void {
  if (account.status === 'FROZEN') throw new AccountFrozen(account.number);
  if (account.status === 'CLOSED') throw new AccountClosed(account.number);
}

export function credit(account: Account, amount: Money, at: Timestamp): Account {
  assertCanMoveMoney(account);
  if (account.balance > MAX_MINOR - amount.minor) throw new BalanceLimitExceeded();
  return changed(account, { balance: account.balance + amount.minor }, at);
}

export function debit(account: Account, amount: Money, at: Timestamp): Account {
  assertCanMoveMoney(account);
  if (amount.minor > account.balance) {
    throw new InsufficientFunds(formatMinor(account.balance, account.currency), account.currency);
  }
  return changed(account, { balance: account.balance - amount.minor }, at);
}

/** ACTIVE → FROZEN. */
export function freeze(account: Account, at: Timestamp): Account {
  if (account.status === 'CLOSED') throw new AccountClosed(account.number);
  if (account.status === 'FROZEN') throw new AccountFrozen(account.number);
  return changed(account, { status: 'FROZEN' }, at);
}

/** FROZEN → ACTIVE. */
export function unfreeze(account: Account, at: Timestamp): Account {
  if (account.status === 'CLOSED') throw new AccountClosed(account.number);
  if (account.status !== 'FROZEN') throw new AccountNotFrozen(account.number);
  return changed(account, { status: 'ACTIVE' }, at);
}

/** ACTIVE or FROZEN → CLOSED, only at a zero balance. The account and its history stay. */
export function close(account: Account, at: Timestamp): Account {
  if (account.status === 'CLOSED') throw new AccountClosed(account.number);
  if (account.balance !== 0) throw new BalanceNotZero(formatMinor(account.balance, account.currency), account.currency);
  return changed(account, { status: 'CLOSED' }, at);
}
