import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Account, IdempotencyRecord, LedgerEntry, RefreshToken, Session, Transfer, User } from '@banking/domain';

/**
 * Valid rows with fresh ids, emails and account numbers, so that tests never collide even on a
 * shared database. Each builder takes overrides; rows that reference others (an account's owner,
 * a ledger line's account) get random ids unless given, so pass the parent's id when the store
 * checks foreign keys.
 */

const now = (): string => new Date().toISOString();

export function anAccountNumber(): string {
  return String(randomInt(10 ** 11, 10 ** 12));
}

export function aUser(overrides: Partial<User> = {}): User {
  return {
    id: randomUUID(),
    email: `user-${randomUUID()}@example.test`,
    fullName: 'Ada Lovelace',
    passwordHash: `plain:${randomUUID()}`,
    createdAt: now(),
    ...overrides,
  };
}

export function anAccount(overrides: Partial<Account> = {}): Account {
  const at = overrides.createdAt ?? now();
  return {
    id: randomUUID(),
    number: anAccountNumber(),
    ownerId: randomUUID(),
    type: 'COURANT',
    currency: 'HTG',
    balance: 0,
    status: 'ACTIVE',
    version: 0,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** A DEPOT credit of 1 000 minor units by default. */
export function aLedgerEntry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    id: randomUUID(),
    accountId: randomUUID(),
    sequence: 1,
    type: 'DEPOT',
    direction: 'CREDIT',
    amount: 1000,
    currency: 'HTG',
    balanceAfter: 1000,
    description: null,
    transferId: null,
    counterpartyAccountNumber: null,
    createdAt: now(),
    ...overrides,
  };
}

export function aTransfer(overrides: Partial<Transfer> = {}): Transfer {
  return {
    id: randomUUID(),
    fromAccountId: randomUUID(),
    toAccountId: randomUUID(),
    fromAccountNumber: anAccountNumber(),
    toAccountNumber: anAccountNumber(),
    amount: 500,
    currency: 'HTG',
    description: null,
    fromBalanceAfter: 500,
    createdAt: now(),
    ...overrides,
  };
}

export function aSession(overrides: Partial<Session> = {}): Session {
  return { id: randomUUID(), userId: randomUUID(), createdAt: now(), revokedAt: null, ...overrides };
}

/** A refresh token valid for 7 days, stored as the SHA-256 hex digest of a random secret. */
export function aRefreshToken(overrides: Partial<RefreshToken> = {}): RefreshToken {
  const issuedAt = overrides.issuedAt ?? now();
  return {
    digest: createHash('sha256').update(randomBytes(32)).digest('hex'),
    sessionId: randomUUID(),
    parentDigest: null,
    issuedAt,
    expiresAt: new Date(Date.parse(issuedAt) + 7 * 24 * 3600 * 1000).toISOString(),
    rotatedAt: null,
    ...overrides,
  };
}

/** A successful outcome recorded under a fresh key, kept 24 h. */
export function anIdempotencyRecord(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  const createdAt = overrides.createdAt ?? now();
  return {
    userId: randomUUID(),
    key: `key-${randomUUID()}`,
    fingerprint: JSON.stringify(['deposit', [['amount', '10']]]),
    outcome: { ok: true, value: { id: randomUUID(), amount: 1000 } },
    createdAt,
    expiresAt: new Date(Date.parse(createdAt) + 24 * 3600 * 1000).toISOString(),
    ...overrides,
  };
}
