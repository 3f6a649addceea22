import { isDeepStrictEqual } from 'node:util';
import type { MemoryUnitOfWork } from '@banking/testing';
import t from 'tap';
import type { FastifySchemaValidationError } from 'fastify';
import pino from 'pino';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { compose } from '../src/container.js';
import { toFieldErrors } from '../src/http/schema-errors.js';
import { API, deposit, json, openAccount, signUp, testApp, testConfig } from './app-harness.js';
import { freshDatabase, requireServices } from './support/services.js';

/**
 * Every body and query field fed wrong types, forbidden extra fields, zero, negatives, 1e400,
 * too many decimals, huge strings, bad dates, bad pages and ids that are not ids: each gets a 4xx
 * problem with the right code (and field), and the bank's state does not change at all.
 */

interface Case {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: string;
  /** An object is sent as JSON; a string is sent raw (with `contentType`, default JSON). */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly auth?: boolean;
  readonly status: number;
  readonly code: string;
  readonly field?: string;
}

const HUGE = 'x'.repeat(5000);

/** Query dates outside years 0001-9999 once their offset is applied: PostgreSQL cannot hold them. */
const OUT_OF_RANGE_DATES: readonly (readonly ['from_date' | 'to_date', string])[] = [
  ['from_date', '0000-01-01'],
  ['to_date', '0000-06-01'],
  ['from_date', '0001-01-01T00:00+01:00'],
  ['to_date', '9999-12-31T23:59:59-14:00'],
  ['from_date', '0000-12-31T23:59:59.999Z'],
  ['to_date', '10000-01-01'],
];
/** The first and last instants the contract accepts. */
const BOUNDARY_DATES: readonly string[] = [
  'from_date=0001-01-01T00:00Z',
  'to_date=9999-12-31T23:59:59.999Z',
  'from_date=0001-01-01&to_date=9999-12-31',
  `from_date=${encodeURIComponent('0001-01-01T01:00+01:00')}&to_date=${encodeURIComponent('9999-12-31T09:59:59.999-14:00')}`,
];

t.test('hostile input is refused with the right 4xx and changes nothing', async (t) => {
  const { app, bank } = await testApp();
  t.teardown(() => app.close());
  const alice = await signUp(app, 'alice@example.com');
  const bob = await signUp(app, 'bob@example.com');
  const account = await openAccount(app, alice);
  const target = await openAccount(app, bob);
  await deposit(app, alice, account.id, 100);

  const tx = `${API}/accounts/${account.id}/transactions`;
  const validTransfer = { from_account_id: account.id, to_account_number: target.account_number, amount: 10 };
  const cases: Case[] = [];
  const add = (c: Omit<Case, 'method'> & { method?: Case['method'] }) => cases.push({ method: 'POST', auth: true, ...c });

  // ── amounts, on both money-moving routes ──────────────────────────────────────────────────
  const amounts: [string, unknown, number?][] = [
    ['zero', 0],
    ['zero as text', '0'],
    ['zero with decimals', '0.00'],
    ['negative', -5],
    ['negative text', '-5'],
    ['three decimals', 10.123],
    ['three decimals as text', '10.123'],
    ['tiny', 1e-7],
    ['exponent text', '1e3'],
    ['not a number', 'abc'],
    ['empty text', ''],
    ['spaces', ' 10 '],
    ['comma decimal', '10,50'],
    ['boolean', true],
    ['null', null],
    ['array', [10]],
    ['object', { value: 10 }],
    ['over the maximum', 1_000_000_000.01],
    ['huge number', Number.MAX_VALUE],
    ['huge text', '9'.repeat(39)],
    ['oversized text', '1'.repeat(41)],
    ['hex', '0x10'],
    ['NaN text', 'NaN'],
    ['Infinity text', 'Infinity'],
  ];
  for (const [name, amount] of amounts) {
    add({ name: `deposit amount ${name}`, url: tx, body: { amount, type: 'DEPOT' }, status: 422, code: 'validation_failed', field: 'amount' });
    add({ name: `withdrawal amount ${name}`, url: tx, body: { amount, type: 'RETRAIT' }, status: 422, code: 'validation_failed', field: 'amount' });
    add({ name: `transfer amount ${name}`, url: `${API}/transfers`, body: { ...validTransfer, amount }, status: 422, code: 'validation_failed', field: 'amount' });
  }
  for (const url of [tx, `${API}/transfers`]) {
    const rest = url === tx ? '"type":"DEPOT"' : `"from_account_id":"${account.id}","to_account_number":"${target.account_number}"`;
    add({ name: `1e400 as raw JSON text (${url})`, url, body: `{"amount":1e400,${rest}}`, status: 422, code: 'validation_failed', field: 'amount' });
    add({ name: `-1e400 as raw JSON text (${url})`, url, body: `{"amount":-1e400,${rest}}`, status: 422, code: 'validation_failed', field: 'amount' });
    add({ name: `missing amount (${url})`, url, body: `{${rest}}`, status: 422, code: 'validation_failed', field: 'amount' });
  }

  // ── other transaction fields ────────────────────────────────────────────────────────────────
  for (const [name, type] of [['VIREMENT', 'VIREMENT'], ['lower case', 'depot'], ['number', 1], ['null', null], ['huge', HUGE]] as const) {
    add({ name: `transaction type ${name}`, url: tx, body: { amount: 10, type }, status: 422, code: 'validation_failed', field: 'type' });
  }
  add({ name: 'transaction type missing', url: tx, body: { amount: 10 }, status: 422, code: 'validation_failed', field: 'type' });
  for (const [name, description] of [['256 characters', 'd'.repeat(256)], ['number', 5], ['object', {}], ['control characters', 'a\u0000b'], ['huge', HUGE]] as const) {
    add({ name: `transaction description ${name}`, url: tx, body: { amount: 10, type: 'DEPOT', description }, status: 422, code: 'validation_failed', field: 'description' });
    add({ name: `transfer description ${name}`, url: `${API}/transfers`, body: { ...validTransfer, description }, status: 422, code: 'validation_failed', field: 'description' });
  }
  for (const extra of ['balance', 'owner_id', 'status', 'account_id', 'balance_after', 'id', 'direction', 'created_at']) {
    add({ name: `transaction extra field ${extra}`, url: tx, body: { amount: 10, type: 'DEPOT', [extra]: 1 }, status: 422, code: 'validation_failed', field: extra });
  }

  // ── transfer fields ─────────────────────────────────────────────────────────────────────────
  for (const [name, id] of [['not a uuid', 'not-a-uuid'], ['number', 42], ['null', null], ['sql', "' OR 1=1 --"], ['huge', HUGE]] as const) {
    add({ name: `transfer from_account_id ${name}`, url: `${API}/transfers`, body: { ...validTransfer, from_account_id: id }, status: 422, code: 'validation_failed', field: 'from_account_id' });
  }
  for (const [name, number] of [['short', '123'], ['letters', 'abcdefghijkl'], ['as a number', 123456789012], ['13 digits', '1234567890123'], ['null', null]] as const) {
    add({ name: `transfer to_account_number ${name}`, url: `${API}/transfers`, body: { ...validTransfer, to_account_number: number }, status: 422, code: 'validation_failed', field: 'to_account_number' });
  }
  for (const extra of ['status', 'new_balance', 'currency', 'transfer_id', 'owner_id', 'balance']) {
    add({ name: `transfer extra field ${extra}`, url: `${API}/transfers`, body: { ...validTransfer, [extra]: 'x' }, status: 422, code: 'validation_failed', field: extra });
  }

  // ── account fields ──────────────────────────────────────────────────────────────────────────
  for (const [name, type] of [['lower case', 'courant'], ['unknown', 'PREMIUM'], ['number', 1], ['null', null], ['huge', HUGE]] as const) {
    add({ name: `account_type ${name}`, url: `${API}/accounts`, body: { account_type: type }, status: 422, code: 'validation_failed', field: 'account_type' });
  }
  add({ name: 'account_type missing', url: `${API}/accounts`, body: { currency: 'HTG' }, status: 422, code: 'validation_failed', field: 'account_type' });
  for (const [name, currency] of [['lower case', 'htg'], ['unknown', 'XXX'], ['number', 840], ['empty', ''], ['null', null]] as const) {
    add({ name: `currency ${name}`, url: `${API}/accounts`, body: { account_type: 'COURANT', currency }, status: 422, code: 'validation_failed', field: 'currency' });
  }
  for (const extra of ['balance', 'owner_id', 'status', 'account_number', 'id', 'created_at']) {
    add({ name: `account extra field ${extra}`, url: `${API}/accounts`, body: { account_type: 'COURANT', [extra]: extra === 'balance' ? 1_000_000 : 'x' }, status: 422, code: 'validation_failed', field: extra });
  }

  // ── auth bodies ─────────────────────────────────────────────────────────────────────────────
  const register = (body: object) => ({ url: `${API}/auth/register`, body, auth: false });
  const person = { email: 'new@example.com', password: 'password123', full_name: 'New Person' };
  for (const [field, values] of [
    ['email', [42, null, [], 'not-an-email', HUGE, '']],
    ['password', [12345678, null, 'short', 'p'.repeat(129), HUGE]],
    ['full_name', [7, null, '', '   ', 'n'.repeat(256), HUGE]],
  ] as const) {
    for (const value of values) {
      add({ name: `register ${field} ${JSON.stringify(value).slice(0, 20)}`, ...register({ ...person, [field]: value }), status: 422, code: 'validation_failed', field });
    }
  }
  for (const extra of ['id', 'is_admin', 'created_at', 'role']) {
    add({ name: `register extra field ${extra}`, ...register({ ...person, [extra]: true }), status: 422, code: 'validation_failed', field: extra });
  }
  const login = (body: object) => ({ url: `${API}/auth/login`, body, auth: false });
  add({ name: 'login email number', ...login({ email: 1, password: 'password123' }), status: 422, code: 'validation_failed', field: 'email' });
  add({ name: 'login password missing', ...login({ email: alice.email }), status: 422, code: 'validation_failed', field: 'password' });
  add({ name: 'login huge password', ...login({ email: alice.email, password: HUGE }), status: 422, code: 'validation_failed', field: 'password' });
  add({ name: 'login extra field', ...login({ email: alice.email, password: 'password123', remember: true }), status: 422, code: 'validation_failed', field: 'remember' });
  add({ name: 'refresh token number', url: `${API}/auth/refresh`, auth: false, body: { refresh_token: 5 }, status: 422, code: 'validation_failed', field: 'refresh_token' });
  add({ name: 'refresh token empty', url: `${API}/auth/refresh`, auth: false, body: { refresh_token: '' }, status: 422, code: 'validation_failed', field: 'refresh_token' });
  add({ name: 'refresh token huge', url: `${API}/auth/refresh`, auth: false, body: { refresh_token: HUGE }, status: 422, code: 'validation_failed', field: 'refresh_token' });
  add({ name: 'logout refresh token number', url: `${API}/auth/logout`, body: { refresh_token: 5 }, status: 422, code: 'validation_failed', field: 'refresh_token' });

  // ── bodies that are not objects, not JSON, too big, or of another type ──────────────────────
  for (const url of [tx, `${API}/transfers`, `${API}/accounts`, `${API}/auth/register`, `${API}/auth/login`]) {
    const auth = !url.includes('/auth/');
    for (const raw of ['null', '[]', '"text"', '42', 'true']) {
      add({ name: `body ${raw} → ${url}`, url, auth, body: raw, status: 422, code: 'validation_failed', field: 'body' });
    }
    for (const raw of ['{', '{"amount": }', "{'amount': 1}", '{"a":1}}', '{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {}}}']) {
      add({ name: `malformed JSON ${raw} → ${url}`, url, auth, body: raw, status: 400, code: 'malformed_json' });
    }
    add({ name: `empty JSON body → ${url}`, url, auth, body: '', status: 400, code: 'malformed_json' });
    for (const contentType of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream']) {
      add({ name: `content type ${contentType} → ${url}`, url, auth, body: 'amount=10', contentType, status: 415, code: 'unsupported_media_type' });
    }
    add({
      name: `body over the limit → ${url}`,
      url,
      auth,
      body: JSON.stringify({ amount: 10, type: 'DEPOT', description: 'x'.repeat(20_000) }),
      status: 413,
      code: 'payload_too_large',
    });
  }

  // ── query strings ───────────────────────────────────────────────────────────────────────────
  const get = (name: string, url: string, field: string) => add({ name, method: 'GET', url, status: 422, code: 'validation_failed', field });
  for (const base of [`${API}/accounts`, tx]) {
    for (const [value, why] of [['0', 'zero'], ['-1', 'negative'], ['abc', 'text'], ['1.5', 'fraction'], ['1e3', 'exponent'], ['', 'empty'], ['99999999999999999999', 'huge']]) {
      get(`${base} page ${why}`, `${base}?page=${value}`, 'page');
    }
    for (const value of ['0', '101', '-5', 'x', '20.5']) get(`${base} page_size ${value}`, `${base}?page_size=${value}`, 'page_size');
    get(`${base} page twice`, `${base}?page=1&page=2`, 'page');
  }
  get('accounts status lower case', `${API}/accounts?status=active`, 'status');
  get('accounts status unknown', `${API}/accounts?status=DELETED`, 'status');
  get('accounts account_type unknown', `${API}/accounts?account_type=GOLD`, 'account_type');
  get('transactions type unknown', `${tx}?type=REFUND`, 'type');
  for (const bad of ['yesterday', '2026-13-01', '2026-02-30', '2026-04-31T10:00:00Z', '2026-02-30T25:00:00Z', '01/02/2026', "2026-01-01' OR '1'='1", 'x'.repeat(65)]) {
    get(`from_date ${bad.slice(0, 20)}`, `${tx}?from_date=${encodeURIComponent(bad)}`, 'from_date');
    get(`to_date ${bad.slice(0, 20)}`, `${tx}?to_date=${encodeURIComponent(bad)}`, 'to_date');
  }
  get('from_date after to_date', `${tx}?from_date=2026-02-01&to_date=2026-01-01`, 'from_date');
  for (const [field, value] of OUT_OF_RANGE_DATES) get(`${field} ${value} (outside years 0001-9999)`, `${tx}?${field}=${encodeURIComponent(value)}`, field);

  // ── ids that are not ids ────────────────────────────────────────────────────────────────────
  for (const id of ['abc', '123', `${account.id}x`, account.id.replace(/-/g, ''), "1' OR '1'='1", '%00', 'null']) {
    const enc = encodeURIComponent(id);
    get(`account id ${id}`, `${API}/accounts/${enc}`, 'id');
    get(`balance id ${id}`, `${API}/accounts/${enc}/balance`, 'id');
    get(`transactions id ${id}`, `${API}/accounts/${enc}/transactions`, 'id');
    get(`transfer id ${id}`, `${API}/transfers/${enc}`, 'transfer_id');
    add({ name: `freeze id ${id}`, url: `${API}/accounts/${enc}/freeze`, status: 422, code: 'validation_failed', field: 'id' });
    add({ name: `unfreeze id ${id}`, url: `${API}/accounts/${enc}/unfreeze`, status: 422, code: 'validation_failed', field: 'id' });
    add({ name: `delete id ${id}`, method: 'DELETE', url: `${API}/accounts/${enc}`, status: 422, code: 'validation_failed', field: 'id' });
    add({ name: `deposit id ${id}`, url: `${API}/accounts/${enc}/transactions`, body: { amount: 10, type: 'DEPOT' }, status: 422, code: 'validation_failed', field: 'id' });
  }

  const state = (bank.deps.uow as MemoryUnitOfWork).state;
  const before = structuredClone(state);
  for (const c of cases) {
    const headers: Record<string, string> = c.auth === false ? {} : { ...alice.headers };
    let payload: string | undefined;
    if (typeof c.body === 'string') {
      payload = c.body;
      headers['content-type'] = c.contentType ?? 'application/json';
    } else if (c.body !== undefined) {
      payload = JSON.stringify(c.body);
      headers['content-type'] = 'application/json';
    }
    const response = await app.inject({ method: c.method, url: c.url, headers, ...(payload !== undefined && { payload }) });
    const ok =
      response.statusCode === c.status &&
      response.headers['content-type'] === 'application/problem+json; charset=utf-8' &&
      json(response).code === c.code &&
      (c.field === undefined || json(response).errors?.some((e: { field: string }) => e.field === c.field));
    t.ok(ok, `${c.name}: ${c.status} ${c.code}${c.field ? ` (${c.field})` : ''}`, ok ? {} : { got: response.statusCode, body: response.body.slice(0, 400) });
    if (!ok) continue;
    const body = json(response);
    t.match(body, { type: String, title: String, status: c.status, detail: String }, c.name);
    t.notMatch(response.body, /at .*\.(?:ts|js):\d+|node_modules|SELECT|stack/i, `${c.name}: nothing internal`);
  }
  t.ok(cases.length > 300, `${cases.length} cases`);
  t.ok(isDeepStrictEqual(state, before) || isDeepStrictEqual((bank.deps.uow as MemoryUnitOfWork).state, before), 'the bank state is exactly as before');
  const after = await app.inject({ method: 'GET', url: `${API}/accounts/${account.id}/balance`, headers: alice.headers });
  t.equal(json(after).balance, 100);
});

t.test('query dates outside years 0001-9999 are a 422 on the real PostgreSQL adapter too, never a 5xx', async (t) => {
  if (!(await requireServices(t, { machineRedis: false }))) return;
  const db = await freshDatabase(t);
  const { app, close } = await compose(testConfig({ DATABASE_URL: db.url }), pino({ level: 'silent' }));
  t.teardown(close);
  const alice = await signUp(app);
  const account = await openAccount(app, alice);
  await deposit(app, alice, account.id, 100);
  const tx = `${API}/accounts/${account.id}/transactions`;
  for (const [field, value] of OUT_OF_RANGE_DATES) {
    const response = await app.inject({ method: 'GET', url: `${tx}?${field}=${encodeURIComponent(value)}`, headers: alice.headers });
    t.equal(response.statusCode, 422, `${field}=${value}: 422`);
    t.match(json(response), { code: 'validation_failed', errors: [{ field }] }, `${field}=${value}: validation_failed on ${field}`);
  }
  for (const query of BOUNDARY_DATES) {
    const response = await app.inject({ method: 'GET', url: `${tx}?${query}`, headers: alice.headers });
    t.equal(response.statusCode, 200, `${decodeURIComponent(query)}: 200`);
    t.equal(json(response).total, 1, `${decodeURIComponent(query)}: the deposit is within`);
  }
});

t.test('a refusal inside a union (nullable, number-or-string) states the rule that was broken, not a branch it never tried', async (t) => {
  const { app } = await testApp();
  t.teardown(() => app.close());
  const alice = await signUp(app);
  const bob = await signUp(app);
  const account = await openAccount(app, alice);
  const target = await openAccount(app, bob);
  await deposit(app, alice, account.id, 100);
  const tx = `${API}/accounts/${account.id}/transactions`;
  const transfer = { from_account_id: account.id, to_account_number: target.account_number, amount: 10 };
  const cases: [string, string, object, string, string][] = [
    ['deposit description over 255', tx, { amount: 10, type: 'DEPOT', description: 'd'.repeat(256) }, 'description', 'must be at most 255 characters long'],
    ['transfer description over 255', `${API}/transfers`, { ...transfer, description: 'd'.repeat(256) }, 'description', 'must be at most 255 characters long'],
    ['description of the wrong type', tx, { amount: 10, type: 'DEPOT', description: 5 }, 'description', 'must be a string or a null'],
    ['amount text over 40 characters', tx, { amount: '1'.repeat(41), type: 'DEPOT' }, 'amount', 'must be at most 40 characters long'],
    ['amount of the wrong type', tx, { amount: true, type: 'DEPOT' }, 'amount', 'must be a number or a decimal string'],
  ];
  for (const [name, url, payload, field, message] of cases) {
    const response = await app.inject({ method: 'POST', url, headers: alice.headers, payload });
    t.equal(response.statusCode, 422, `${name}: 422`);
    t.same(json(response).errors, [{ field, message }], `${name}: ${field} ${message}`);
    t.equal(json(response).detail, `The request is invalid: ${field} ${message}.`, `${name}: the detail says it too`);
  }
});

t.test('union errors name the broken rule of the branch whose type matched, for any nullable or optional union', async (t) => {
  const schema = Type.Object({
    count: Type.Optional(Type.Union([Type.Integer({ minimum: 5 }), Type.Null()])),
    id: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
    code: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Z]+$' }), Type.Null()])),
    name: Type.Optional(Type.Union([Type.Null(), Type.String({ minLength: 2 })])),
    card: Type.Optional(Type.Union([Type.Object({ holder: Type.String({ maxLength: 3 }) }, { additionalProperties: false }), Type.Null()])),
  });
  const errorsOf = (value: unknown) => toFieldErrors([...Compile(schema).Errors(value)] as unknown as FastifySchemaValidationError[], 'body');
  t.same(errorsOf({ count: 2 }), [{ field: 'count', message: 'must be at least 5' }]);
  t.same(errorsOf({ count: 7.5 }), [{ field: 'count', message: 'must be an integer or a null' }], 'a number that is not an integer fails the type');
  t.same(errorsOf({ id: 'x' }), [{ field: 'id', message: 'must be a UUID' }]);
  t.same(errorsOf({ code: 'abc' }), [{ field: 'code', message: 'has an invalid format' }]);
  t.same(errorsOf({ name: 'x' }), [{ field: 'name', message: 'must be at least 2 characters long' }], 'whatever the branch order');
  t.same(errorsOf({ card: { holder: 'abcd' } }), [{ field: 'card', message: 'holder must be at most 3 characters long' }], 'inside an object branch');
  t.same(errorsOf({ card: {} }), [{ field: 'card', message: 'holder is required' }]);
  t.same(errorsOf({ card: { holder: 'a', pin: 1 } }), [{ field: 'card', message: 'pin is not allowed' }]);
  t.same(errorsOf({ count: 'x', id: 4 }), [
    { field: 'count', message: 'must be an integer or a null' },
    { field: 'id', message: 'must be a string or a null' },
  ]);
});
