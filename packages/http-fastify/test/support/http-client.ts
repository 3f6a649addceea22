import { performance } from 'node:perf_hooks';

export const API = '/api/v1';

/** One answered (or failed) request, with when it started and ended on this process's clock. */
export interface Answer {
  /** 0 when the request failed without an HTTP answer (connection refused or reset, timeout). */
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
  readonly start: number;
  readonly end: number;
}

export interface CallOptions {
  readonly token?: string;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** A request over real HTTP (fetch); never throws. */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const start = performance.now();
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(options.json !== undefined && { body: JSON.stringify(options.json) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const text = await response.text();
    let body: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '')) body = text === '' ? undefined : JSON.parse(text);
    return { status: response.status, headers: response.headers, body, start, end: performance.now() };
  } catch (error) {
    return { status: 0, headers: new Headers(), body: { error: String(error) }, start, end: performance.now() };
  }
}

/** Throws unless the answer has the expected status. */
export function expectStatus(answer: Answer, status: number, what: string): any {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export interface Client {
  readonly email: string;
  readonly password: string;
  readonly id: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

let counter = 0;
export const uniqueEmail = (): string => `e2e${++counter}-${Math.random().toString(36).slice(2, 10)}@example.com`;

/** Registers and logs in a new user. */
export async function signUp(base: string, headers: Readonly<Record<string, string>> = {}): Promise<Client> {
  const email = uniqueEmail();
  const password = 'correct-horse-battery';
  const registered = expectStatus(await call(base, 'POST', `${API}/auth/register`, { json: { email, password, full_name: 'E2E User' }, headers }), 201, 'register');
  const tokens = await logIn(base, email, password, headers);
  return { email, password, id: registered.id, ...tokens };
}

/** A new session (login) for an existing user. */
export async function logIn(
  base: string,
  email: string,
  password: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<{ accessToken: string; refreshToken: string }> {
  const body = expectStatus(await call(base, 'POST', `${API}/auth/login`, { json: { email, password }, headers }), 200, 'login');
  return { accessToken: body.access_token, refreshToken: body.refresh_token };
}

export interface OpenedAccount {
  readonly id: string;
  readonly number: string;
}

export async function openAccount(base: string, client: Client): Promise<OpenedAccount> {
  const body = expectStatus(await call(base, 'POST', `${API}/accounts`, { token: client.accessToken, json: { account_type: 'COURANT', currency: 'HTG' } }), 201, 'open account');
  return { id: body.id, number: body.account_number };
}

/** Minor units (HTG: 2 decimals) of an amount or balance the API answered as a JSON number. */
export const minor = (major: number): number => Math.round(major * 100);

/** The decimal string of an amount in minor units (HTG). */
export const major = (minorUnits: number): string => `${Math.trunc(minorUnits / 100)}.${String(minorUnits % 100).padStart(2, '0')}`;

export async function deposit(base: string, client: Client, accountId: string, minorUnits: number): Promise<any> {
  return expectStatus(
    await call(base, 'POST', `${API}/accounts/${accountId}/transactions`, { token: client.accessToken, json: { type: 'DEPOT', amount: major(minorUnits) } }),
    201,
    'deposit',
  );
}

/** A user on each of two instances, each with one account holding `minorUnits`. */
export async function fundedPair(first: string, second: string, minorUnits: number) {
  const owner = await signUp(first);
  const other = await signUp(second);
  const a = await openAccount(first, owner);
  const c = await openAccount(second, other);
  await deposit(first, owner, a.id, minorUnits);
  await deposit(second, other, c.id, minorUnits);
  return { owner, other, a, c };
}

/** Reads /metrics and returns the value of one sample (first match of the name), or undefined. */
export async function metric(base: string, name: string): Promise<number | undefined> {
  const answer = await call(base, 'GET', '/metrics');
  if (answer.status !== 200) return undefined;
  const line = String(answer.body)
    .split('\n')
    .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
