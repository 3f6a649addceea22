import { randomUUID } from 'node:crypto';
import type { Request } from 'autocannon';
import type { Scenario } from './load.js';

export const BENCH_PASSWORD = 'bench-password-1234';

export interface BenchAccount {
  readonly id: string;
  readonly number: string;
}

export interface BenchUser {
  readonly email: string;
  readonly token: string;
  readonly accounts: readonly BenchAccount[];
}

/** The users the load logs in as, and where their transfers may go. */
export interface Population {
  readonly users: readonly BenchUser[];
  /** A random destination account number (any account of the database), never `notThis`. */
  destination(notThis: string): string;
  /** How many accounts the database holds (for the report). */
  readonly totalAccounts: number;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/** A valid amount: 0.01 to 9.99, as a decimal string, as the contract allows. */
function amount(): string {
  return (1 + Math.floor(Math.random() * 999)).toString().padStart(3, '0').replace(/(\d{2})$/, '.$1');
}

function json(token: string): Record<string, string> {
  return { 'content-type': 'application/json', authorization: `Bearer ${token}` };
}

function withOwnAccount(population: Population, make: (user: BenchUser, account: BenchAccount) => Request): () => Request {
  return () => {
    const user = pick(population.users);
    return make(user, pick(user.accounts));
  };
}

export function transferScenario(prefix: string, population: Population, idempotent = false): Scenario {
  return {
    name: idempotent ? 'transfer + Idempotency-Key' : 'transfer',
    next: withOwnAccount(population, (user, from) => ({
      method: 'POST',
      path: `${prefix}/transfers`,
      headers: { ...json(user.token), ...(idempotent && { 'idempotency-key': randomUUID() }) },
      body: JSON.stringify({ from_account_id: from.id, to_account_number: population.destination(from.number), amount: amount(), description: 'bench' }),
    })),
  };
}

export function depositScenario(prefix: string, population: Population): Scenario {
  return {
    name: 'deposit',
    next: withOwnAccount(population, (user, account) => ({
      method: 'POST',
      path: `${prefix}/accounts/${account.id}/transactions`,
      headers: json(user.token),
      body: JSON.stringify({ type: 'DEPOT', amount: amount(), description: 'bench' }),
    })),
  };
}

export function balanceScenario(prefix: string, population: Population): Scenario {
  return {
    name: 'balance (cached)',
    next: withOwnAccount(population, (user, account) => ({
      method: 'GET',
      path: `${prefix}/accounts/${account.id}/balance`,
      headers: { authorization: `Bearer ${user.token}` },
    })),
  };
}

export function transactionsScenario(prefix: string, population: Population): Scenario {
  return {
    name: 'transactions page',
    next: withOwnAccount(population, (user, account) => ({
      method: 'GET',
      path: `${prefix}/accounts/${account.id}/transactions?page=1&page_size=20`,
      headers: { authorization: `Bearer ${user.token}` },
    })),
  };
}

export function loginScenario(prefix: string, population: Population): Scenario {
  return {
    name: 'login',
    next: () => ({
      method: 'POST',
      path: `${prefix}/auth/login`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: pick(population.users).email, password: BENCH_PASSWORD }),
    }),
  };
}

/** Every scenario, writes first (they invalidate caches), then reads, then logins. */
export function allScenarios(prefix: string, population: Population): Scenario[] {
  return [
    transferScenario(prefix, population),
    transferScenario(prefix, population, true),
    depositScenario(prefix, population),
    balanceScenario(prefix, population),
    transactionsScenario(prefix, population),
    loginScenario(prefix, population),
  ];
}
