import { isDeepStrictEqual } from 'node:util';
import { memoryState } from '@banking/testing';
import { NumberText } from '@banking/domain';
import t from 'tap';
import pino from 'pino';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { compose, createContainer } from '../src/container.js';
import { exactText, restoreNumbers, standInFor } from '../src/http/exact-json.js';
import { toFieldErrors } from '../src/http/schema-errors.js';
import { validatorCompiler } from '../src/http/validator-compiler.js';
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
/** JSON numbers whose nearest double is another value (0.01, 1, 0, 2^53, Infinity), and -0. */
const LOSSY_NUMBERS: readonly string[] = [
  '0.009999999999999999999',
  '1.0000000000000000001',
  '10.00000000000000000001',
  '0.0100000000000000000001',
  '1e-400',
  '-1e-400',
  '-0',
  '-0.0',
  '9007199254740993',
  '123456789012345678901234567890',
  '1000000000.000000000000001',
  '1e99999999999999999999',
  '1e-99999999999999999999',
  '-1e99999999999999999999',
  '1E+400',
];

/** JSON content types that name a charset other than UTF-8. */
const NOT_UTF8_JSON: readonly string[] = [
  'application/json; charset=utf-16',
  'application/json; charset=UTF-16LE',
  'application/json;charset=latin1',
  'application/json; charset="iso-8859-1"',
  'application/json; charset=utf-8; charset=utf-16',
  'application/json; charset=',
  'application/json; charset = utf-32',
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
    // Judged on the text as written, not on the nearest double (0.01, 1, 0, 2^53...).
    for (const number of LOSSY_NUMBERS) {
      add({ name: `${number} as raw JSON text (${url})`, url, body: `{"amount":${number},${rest}}`, status: 422, code: 'validation_failed', field: 'amount' });
    }
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
    // JSON in another charset than UTF-8 would be read as UTF-8: refused, whatever the body.
    for (const contentType of NOT_UTF8_JSON) {
      add({ name: `content type ${contentType} → ${url}`, url, auth, body: '{"amount":10,"type":"DEPOT"}', contentType, status: 415, code: 'unsupported_media_type' });
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

  const state = memoryState(bank);
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
  t.ok(isDeepStrictEqual(state, before) || isDeepStrictEqual(memoryState(bank), before), 'the bank state is exactly as before');
  const after = await app.inject({ method: 'GET', url: `${API}/accounts/${account.id}/balance`, headers: alice.headers });
  t.equal(json(after).balance, 100);
});

t.test('query dates outside years 0001-9999 are a 422 on the real PostgreSQL adapter too, never a 5xx', async (t) => {
  if (!(await requireServices(t, { machineRedis: false }))) return;
  const db = await freshDatabase(t);
  const { app, close } = await compose(createContainer(testConfig({ DATABASE_URL: db.url }), pino({ level: 'silent' })));
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
  const errorsOf = (value: unknown) => toFieldErrors([...Compile(schema).Errors(value)], 'body');
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

t.test('JSON and forms are read as UTF-8 only: another charset is a 415 problem, UTF-8 named any usual way is read', async (t) => {
  const { app } = await testApp();
  t.teardown(() => app.close());
  const alice = await signUp(app);
  const account = await openAccount(app, alice);
  const tx = `${API}/accounts/${account.id}/transactions`;
  const utf16 = Buffer.from('{"amount":10,"type":"DEPOT","description":"café"}', 'utf16le');
  for (const [contentType, payload] of [
    ['application/json; charset=utf-16le', utf16],
    ['application/json; charset=utf-16', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16])],
    ...NOT_UTF8_JSON.map((contentType) => [contentType, '{"amount":10,"type":"DEPOT"}'] as const),
  ] as const) {
    const response = await app.inject({ method: 'POST', url: tx, headers: { ...alice.headers, 'content-type': contentType }, payload });
    t.equal(response.statusCode, 415, `${contentType}: 415`);
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8', `${contentType}: problem+json`);
    t.match(json(response), { status: 415, code: 'unsupported_media_type', detail: /UTF-8/ }, `${contentType}: unsupported_media_type, saying why`);
  }
  for (const contentType of ['application/json', 'application/json; charset=utf-8', 'application/json; charset=UTF-8', 'application/json;charset="utf-8"', 'application/json; charset=utf8', 'Application/JSON; Charset=UTF-8']) {
    const response = await app.inject({
      method: 'POST',
      url: tx,
      headers: { ...alice.headers, 'content-type': contentType },
      payload: Buffer.from('{"amount":10,"type":"DEPOT","description":"café"}', 'utf8'),
    });
    t.equal(response.statusCode, 201, `${contentType}: 201`);
    t.equal(json(response).description, 'café', `${contentType}: read as UTF-8`);
  }

  const form = (contentType: string) =>
    app.inject({
      method: 'POST',
      url: `${API}/auth/token`,
      headers: { 'content-type': contentType },
      payload: new URLSearchParams({ grant_type: 'password', username: alice.email, password: alice.password }).toString(),
    });
  for (const contentType of ['application/x-www-form-urlencoded; charset=utf-16', 'application/x-www-form-urlencoded; charset=iso-8859-1']) {
    const response = await form(contentType);
    t.equal(response.statusCode, 415, `/auth/token ${contentType}: 415`);
    t.match(json(response), { status: 415, code: 'unsupported_media_type' }, `/auth/token ${contentType}: problem+json`);
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
  }
  for (const contentType of ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8']) {
    t.equal((await form(contentType)).statusCode, 200, `/auth/token ${contentType}: 200`);
  }
});

t.test('a JSON number is judged on its exact text: refused as written, accepted when its double is exactly what was written', async (t) => {
  const { app } = await testApp();
  t.teardown(() => app.close());
  const alice = await signUp(app);
  const bob = await signUp(app);
  const account = await openAccount(app, alice);
  const target = await openAccount(app, bob);
  await deposit(app, alice, account.id, 1000);
  const tx = `${API}/accounts/${account.id}/transactions`;
  const send = (url: string, raw: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, headers: { ...alice.headers, ...headers, 'content-type': 'application/json' }, payload: raw });
  const transfer = (amount: string) => `{"from_account_id":"${account.id}","to_account_number":"${target.account_number}","amount":${amount}}`;

  for (const [number, message] of [
    ['0.009999999999999999999', 'HTG amounts have at most 2 decimals'],
    ['1.0000000000000000001', 'HTG amounts have at most 2 decimals'],
    ['1e-400', 'HTG amounts have at most 2 decimals'],
    ['1e-99999999999999999999', 'HTG amounts have at most 2 decimals'],
    ['1e400', 'must not exceed 1000000000 HTG'],
    ['1e99999999999999999999', 'must not exceed 1000000000 HTG'],
    ['123456789012345678901234567890', 'must not exceed 1000000000 HTG'],
    ['9007199254740993', 'must not exceed 1000000000 HTG'],
    ['-1e400', 'must be greater than 0'],
    ['-0', 'must be greater than 0'],
  ] as const) {
    for (const [url, raw] of [
      [tx, `{"amount":${number},"type":"RETRAIT"}`],
      [`${API}/transfers`, transfer(number)],
    ] as const) {
      const response = await send(url, raw);
      t.equal(response.statusCode, 422, `${number} on ${url}: 422`);
      t.same(json(response).errors, [{ field: 'amount', message }], `${number}: amount ${message}`);
    }
  }

  for (const [number, amount] of [
    ['1000.0', 1000],
    ['1e2', 100],
    ['1E+2', 100],
    ['0.1e1', 1],
    ['100.10', 100.1],
    ['2.50', 2.5],
    ['0.30', 0.3],
    ['1.00000000000000000000', 1],
  ] as const) {
    const deposited = await send(tx, `{"amount":${number},"type":"DEPOT"}`);
    t.equal(deposited.statusCode, 201, `${number}: 201`);
    t.equal(json(deposited).amount, amount, `${number}: the amount written`);
    const moved = await send(`${API}/transfers`, transfer(number));
    t.equal(moved.statusCode, 201, `${number} transferred: 201`);
    t.equal(json(moved).amount, amount, `${number} transferred: the amount written`);
  }

  // Outside amounts, a lossy number is still a number: refused where a number does not belong.
  for (const [raw, field] of [
    ['{"amount":1,"type":"DEPOT","description":0.1000000000000000000001}', 'description'],
    ['{"amount":1,"type":1e400}', 'type'],
    ['{"amount":1,"type":"DEPOT","metadata":{"x":1e400}}', 'metadata'],
  ] as const) {
    const response = await send(tx, raw);
    t.equal(response.statusCode, 422, `${raw}: 422`);
    t.match(json(response).errors, [{ field }], `${raw}: on ${field}`);
  }
  const description = await send(tx, '{"amount":1,"type":"DEPOT","description":0.1000000000000000000001}');
  t.same(json(description).errors, [{ field: 'description', message: 'must be a string or a null' }]);
  const number = await send(`${API}/transfers`, transfer('1').replace(`"${target.account_number}"`, '123456789012345678901234'));
  t.match(json(number), { code: 'validation_failed', errors: [{ field: 'to_account_number', message: 'must be a string' }] });

  // Fastify's protections hold on the exact path too.
  for (const raw of [
    '{"__proto__":{"x":1e400},"amount":1,"type":"DEPOT"}',
    '{"constructor":{"prototype":{"x":1e400}},"amount":1,"type":"DEPOT"}',
    '{1e400:1,"amount":1,"type":"DEPOT"}',
    '{"amount":1e400 ,"type":"DEPOT"',
    '{"amount":1e400e5,"type":"DEPOT"}',
    '{"amount":-1e400-,"type":"DEPOT"}',
    '{"amount":01.0000000000000000001,"type":"DEPOT"}',
  ]) {
    const response = await send(tx, raw);
    t.equal(response.statusCode, 400, `${raw}: 400`);
    t.equal(json(response).code, 'malformed_json', `${raw}: malformed_json`);
  }
  const deep = await send(tx, `${'['.repeat(5000)}1e400${']'.repeat(5000)}`);
  t.match({ status: deep.statusCode, body: json(deep) }, { status: 422, body: { errors: [{ field: 'body' }] } }, 'deep nesting around a lossy number: 422, no stack overflow');
  const duplicate = await send(tx, '{"amount":1e400,"amount":5,"type":"DEPOT"}');
  t.equal(json(duplicate).amount, 5, 'a duplicate key: the last one counts, as JSON.parse does');
  const strings = await send(tx, '{"amount":"0.009999999999999999999","type":"DEPOT","description":"1e400 0.009999999999999999999 \\"1e400"}');
  t.equal(strings.statusCode, 422, 'the same texts inside strings are strings');
  const inText = await send(tx, '{"amount":1,"type":"DEPOT","description":"1e400 and 0.009999999999999999999"}');
  t.equal(json(inText).description, '1e400 and 0.009999999999999999999', 'a number inside a string is left alone');

  // The exact text is what an Idempotency-Key remembers: 0.009999999999999999999 is not 0.01.
  const key = { 'idempotency-key': 'exact-text-key' };
  const first = await send(tx, '{"amount":0.009999999999999999999,"type":"DEPOT"}', key);
  t.equal(first.statusCode, 422);
  const replay = await send(tx, '{"amount":0.009999999999999999999,"type":"DEPOT"}', key);
  t.equal(replay.statusCode, 422, 'the refusal is replayed');
  t.equal(replay.headers['idempotent-replayed'], 'true');
  const other = await send(tx, '{"amount":0.01,"type":"DEPOT"}', key);
  t.equal(json(other).code, 'idempotency_key_reused', '0.01 is another body');
});

t.test('a body number a double cannot hold is checked as written by integer and bounded number fields', async (t) => {
  const schema = Type.Object({
    n: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    x: Type.Optional(Type.Number({ minimum: 0.5, maximum: 10 })),
  });
  const validate = validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '/' }) as (input: unknown) => { value?: unknown; error?: unknown };
  const parse = (text: string): unknown => {
    const exact = exactText(text);
    return exact === undefined ? JSON.parse(text) : restoreNumbers(JSON.parse(exact.marked), JSON.parse(exact.standIn), exact);
  };
  const refused = ['{"n":1.0000000000000000001}', '{"n":0.99999999999999999999}', '{"n":100.00000000000000000001}', '{"n":1e400}', '{"n":-1e400}', '{"n":9007199254740993}', '{"n":1e-400}',
    '{"x":0.49999999999999999999}', '{"x":10.000000000000000000001}', '{"x":1e-400}', '{"x":-1e-400}', '{"x":1e400}'];
  for (const text of refused) t.ok(validate(parse(text)).error, `${text}: refused`);
  for (const [text, value] of [['{"n":100.0}', { n: 100 }], ['{"n":1e2}', { n: 100 }], ['{"x":0.5000000000000000000001}', undefined], ['{"x":9.99999999999999999999}', undefined]] as const) {
    const result = validate(parse(text));
    t.notOk(result.error, `${text}: accepted`);
    if (value !== undefined) t.same(result.value, value, `${text}: as a JS number`);
    else t.ok(Object.values(result.value as object)[0] instanceof NumberText, `${text}: handed on as its exact text`);
  }
  t.equal(standInFor(new NumberText('1e-400')), Number.MIN_VALUE);
  t.equal(standInFor(new NumberText('-1e-400')), -Number.MIN_VALUE);
  t.equal(standInFor(new NumberText('1e400')), Number.MAX_VALUE);
  t.ok(standInFor(new NumberText('1.0000000000000000001')) > 1 && standInFor(new NumberText('0.99999999999999999999')) < 1);
  t.ok(standInFor(new NumberText('-1.0000000000000000001')) < -1 && standInFor(new NumberText('-0.99999999999999999999')) > -1);
});
