/**
 * @banking/domain — the bank's pure core: entities, exact money, use cases and the ports that
 * adapters implement. No I/O, no framework.
 */
export { createBanking, type Banking } from './banking.js';
export { DEFAULT_POLICY, type BankingDeps, type BankingPolicy } from './banking-deps.js';
export * from './errors.js';
export * from './ports.js';

export { CURRENCY_CODES, DEFAULT_CURRENCY, isCurrencyCode, minorUnits, type CurrencyCode } from './currency.js';
export { formatMinor, formatMoney, MAX_MINOR, money, parseAmount, type AmountLimits, type Money } from './money.js';
export { NumberText, readJsonNumber } from './shared/number-text.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page, type PageRequest, type Slice } from './shared/pagination.js';
export { StoreUnavailable } from './shared/store-unavailable.js';
export { timestamp, type Timestamp } from './shared/timestamp.js';

export {
  ACCOUNT_NUMBER_LENGTH,
  ACCOUNT_STATUSES,
  ACCOUNT_TYPES,
  type Account,
  type AccountStatus,
  type AccountType,
} from './accounts/account.js';
export { invalidateReadCache, ownerScope } from './accounts/account-cache.js';
export type { AccountQuery } from './accounts/get-account.use-case.js';
export type { Balance } from './accounts/get-balance.use-case.js';
export type { ListAccountsQuery } from './accounts/list-accounts.use-case.js';
export type { OpenAccountCommand } from './accounts/open-account.use-case.js';

export type { IssuedSession } from './auth/issued-session.js';
export type { LoginCommand } from './auth/login.use-case.js';
export type { LogoutCommand } from './auth/logout.use-case.js';
export type { SessionQuery } from './auth/check-session.use-case.js';
export type { RefreshToken, Session } from './auth/session.js';

export {
  accountEvent,
  ACCOUNT_EVENT_TYPES,
  EVENT_TYPES,
  ownersOf,
  transactionPosted,
  type AccountEvent,
  type AccountEventType,
  type DomainEvent,
  type EventType,
  type TransactionPosted,
} from './events/domain-event.js';
export type { Decision, Movement } from './movements/movement.js';

export { IDEMPOTENCY_KEY_PATTERN, type Idempotent } from './idempotency/run-idempotent.js';
export type { IdempotencyRecord, RecordedOutcome } from './idempotency/idempotency-record.js';
export {
  MIN_IDEMPOTENCY_RETENTION_SECONDS,
  type SweepIdempotencyOptions,
  type SweepIdempotencyResult,
} from './idempotency/sweep-idempotency-records.use-case.js';

export {
  DESCRIPTION_MAX_LENGTH,
  TRANSACTION_TYPES,
  type Direction,
  type LedgerEntry,
  type TransactionType,
} from './ledger/ledger-entry.js';
export type { ListTransactionsQuery } from './ledger/list-transactions.use-case.js';
export { CASH_TYPES, type CashType, type PostTransactionCommand } from './ledger/post-transaction.use-case.js';

export type { Transfer } from './transfers/transfer.js';
export type { TransferQuery, TransferView } from './transfers/get-transfer.use-case.js';
export type { TransferMoneyCommand } from './transfers/transfer-money.use-case.js';

export {
  normaliseEmail,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type User,
  type UserProfile,
} from './users/user.js';
export type { RegisterUserCommand } from './users/register-user.use-case.js';
