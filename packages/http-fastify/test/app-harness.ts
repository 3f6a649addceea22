import { MemoryRateLimitStore, ScryptHasher } from '@banking/adapters-memory';
import type { RateLimitStore } from '@banking/domain';
import { memoryBanking, type BankingFixture } from '@banking/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, parseConfig, type AppConfig, type AppDeps } from '../src/index.js';

export const TEST_SECRET = 'test-secret-key-that-is-long-enough-for-hs256-0123456789';
export const API = '/api/v1';

/** Cheap scrypt: the real algorithm, a test-sized cost. */
export const testHasher = () => new ScryptHasher({ N: 1024, r: 8, p: 1 });

export function testConfig(vars: Record<string, string> = {}): AppConfig {
  return parseConfig({
    NODE_ENV: 'test',
    SECRET_KEY: TEST_SECRET,
    RATE_LIMIT_PER_MINUTE: '100000',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'silent',
    ...vars,
  }).config;
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly bank: BankingFixture;
  readonly config: AppConfig;
}

export interface TestAppOptions {
  readonly config?: Record<string, string>;
  readonly rateLimitStore?: RateLimitStore;
  readonly deps?: Partial<AppDeps>;
  readonly bank?: BankingFixture;
}

export async function testApp(options: TestAppOptions = {}): Promise<TestApp> {
  const bank = options.bank ?? memoryBanking({ hasher: testHasher() });
  const config = testConfig(options.config);
  const app = await buildApp({
    banking: bank.banking,
    config,
    rateLimitStore: options.rateLimitStore ?? new MemoryRateLimitStore(),
    readiness: [],
    logger: false,
    ...options.deps,
  });
  return { app, bank, config };
}

export function json(response: LightMyRequestResponse): any {
  return JSON.parse(response.body);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let counter = 0;
export function uniqueEmail(): string {
  return `user${++counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export interface Client {
  readonly email: string;
  readonly password: string;
  readonly id: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly headers: { authorization: string };
}

/** Registers and logs in a new user. */
export async function signUp(app: FastifyInstance, email = uniqueEmail(), password = 'password123'): Promise<Client> {
  const registered = await app.inject({ method: 'POST', url: `${API}/auth/register`, payload: { email, password, full_name: 'Test User' } });
  if (registered.statusCode !== 201) throw new Error(`register: ${registered.statusCode} ${registered.body}`);
  const login = await app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email, password } });
  if (login.statusCode !== 200) throw new Error(`login: ${login.statusCode} ${login.body}`);
  const tokens = json(login);
  return {
    email,
    password,
    id: json(registered).id,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    headers: bearer(tokens.access_token),
  };
}

export async function openAccount(app: FastifyInstance, client: Client, body: object = { account_type: 'COURANT', currency: 'HTG' }): Promise<any> {
  const response = await app.inject({ method: 'POST', url: `${API}/accounts`, headers: client.headers, payload: body });
  if (response.statusCode !== 201) throw new Error(`open account: ${response.statusCode} ${response.body}`);
  return json(response);
}

export async function deposit(app: FastifyInstance, client: Client, accountId: string, amount: number | string): Promise<any> {
  const response = await app.inject({
    method: 'POST',
    url: `${API}/accounts/${accountId}/transactions`,
    headers: client.headers,
    payload: { amount, type: 'DEPOT' },
  });
  if (response.statusCode !== 201) throw new Error(`deposit: ${response.statusCode} ${response.body}`);
  return json(response);
}

export async function balanceOf(app: FastifyInstance, client: Client, accountId: string): Promise<number> {
  const response = await app.inject({ method: 'GET', url: `${API}/accounts/${accountId}/balance`, headers: client.headers });
  if (response.statusCode !== 200) throw new Error(`balance: ${response.statusCode} ${response.body}`);
  return json(response).balance;
}
