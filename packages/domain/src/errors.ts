/**
 * Domain errors. Each carries a stable snake_case `code` (the contract's machine code) and a
 * `name` equal to its class name. Only the HTTP adapter decides which status code a class gets.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export class ValidationFailed extends DomainError {
  readonly code = 'validation_failed';
  constructor(readonly errors: readonly FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
  static field(field: string, message: string): ValidationFailed {
    return new ValidationFailed([{ field, message }]);
  }
}

export class AccountNotFound extends DomainError {
  readonly code = 'not_found';
  constructor() {
    super('Account not found.');
  }
}

export class TransferNotFound extends DomainError {
  readonly code = 'not_found';
  constructor() {
    super('Transfer not found.');
  }
}

export class UserNotFound extends DomainError {
  readonly code = 'not_found';
  constructor() {
    super('User not found.');
  }
}

export class EmailTaken extends DomainError {
  readonly code = 'email_taken';
  constructor() {
    super('An account with this email already exists.');
  }
}

export class InvalidCredentials extends DomainError {
  readonly code = 'invalid_credentials';
  constructor() {
    super('Incorrect email or password.');
  }
}

/** A refresh token that is unknown, malformed or expired. */
export class InvalidRefreshToken extends DomainError {
  readonly code = 'invalid_token';
  constructor() {
    super('The refresh token is invalid or expired.');
  }
}

/** A token whose login was revoked: logout, or reuse of a rotated refresh token. */
export class TokenRevoked extends DomainError {
  readonly code = 'token_revoked';
  constructor() {
    super('This token has been revoked.');
  }
}

export class InsufficientFunds extends DomainError {
  readonly code = 'insufficient_funds';
  constructor(readonly available: string, readonly currency: string) {
    super(`Insufficient funds: the available balance is ${available} ${currency}.`);
  }
}

export class AccountFrozen extends DomainError {
  readonly code = 'account_frozen';
  constructor(accountNumber: string) {
    super(`Account ${accountNumber} is frozen.`);
  }
}

export class AccountClosed extends DomainError {
  readonly code = 'account_closed';
  constructor(accountNumber: string) {
    super(`Account ${accountNumber} is closed.`);
  }
}

export class AccountNotFrozen extends DomainError {
  readonly code = 'account_not_frozen';
  constructor(accountNumber: string) {
    super(`Account ${accountNumber} is not frozen.`);
  }
}

export class AccountLimitReached extends DomainError {
  readonly code = 'account_limit_reached';
  constructor(limit: number) {
    super(`A user may hold at most ${limit} accounts that are not closed.`);
  }
}

export class CurrencyMismatch extends DomainError {
  readonly code = 'currency_mismatch';
  constructor(from: string, to: string) {
    super(`Cannot transfer between a ${from} account and a ${to} account.`);
  }
}

export class SameAccountTransfer extends DomainError {
  readonly code = 'same_account';
  constructor() {
    super('The source and destination accounts are the same.');
  }
}

export class BalanceNotZero extends DomainError {
  readonly code = 'balance_not_zero';
  constructor(balance: string, currency: string) {
    super(`Cannot close an account with a non-zero balance (${balance} ${currency}).`);
  }
}

export class BalanceLimitExceeded extends DomainError {
  readonly code = 'balance_limit_exceeded';
  constructor() {
    super('This movement would take the balance over the maximum an account can hold.');
  }
}

export class IdempotencyKeyReused extends DomainError {
  readonly code = 'idempotency_key_reused';
  constructor() {
    super('This Idempotency-Key was already used with a different request.');
  }
}

export class IdempotencyInProgress extends DomainError {
  readonly code = 'idempotency_in_progress';
  constructor() {
    super('A request with this Idempotency-Key is still being processed.');
  }
}

/**
 * A refusal recorded under an Idempotency-Key and replayed to a retry: same code, same message,
 * same field errors as the original.
 */
export class ReplayedRefusal extends DomainError {
  constructor(
    readonly code: string,
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
  }
}
