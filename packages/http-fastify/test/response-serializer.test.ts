import type { Banking, LedgerEntry, UserProfile } from '@banking/domain';
import Fastify from 'fastify';
import t from 'tap';
import { Type, type Static } from 'typebox';
import { ExactDecimal } from '../src/http/exact-decimal.js';
import { compileResponseSerializer } from '../src/http/response-serializer.js';
import { presentTransaction } from '../src/presenters/transaction.presenter.js';
import { presentUser } from '../src/presenters/user.presenter.js';
import { UserOut } from '../src/schemas/auth.schema.js';
import { MoneyOut, NullableMoneyOut } from '../src/schemas/common.schema.js';
import { TransactionOut } from '../src/schemas/transactions.schema.js';
import { API, json, openAccount, signUp, testApp } from './app-harness.js';

const money = (text: string) => new ExactDecimal(text);

t.test('money goes out as a JSON number with exactly its digits, whatever a double would make of it', async (t) => {
  const serialize = compileResponseSerializer(
    Type.Object({
      big: MoneyOut,
      beyond: MoneyOut,
      small: MoneyOut,
      negative: MoneyOut,
      whole: MoneyOut,
      held: NullableMoneyOut('set'),
      none: NullableMoneyOut('null'),
      list: Type.Array(MoneyOut),
      rate: Type.Number(),
      count: Type.Integer(),
    }),
  );
  const text = serialize({
    big: money('90000000000000.99'),
    beyond: money('90071992547409.93'),
    small: money('0.1'),
    negative: money('-12.5'),
    whole: money('5'),
    held: money('1000.5'),
    none: null,
    list: [money('19.99'), money('0.07')],
    rate: 1.5,
    count: 3,
  });
  t.equal(
    text,
    '{"big":90000000000000.99,"beyond":90071992547409.93,"small":0.1,"negative":-12.5,"whole":5,"held":1000.5,' +
      '"none":null,"list":[19.99,0.07],"rate":1.5,"count":3}',
  );
  t.equal(String(Number('90071992547409.93')), '90071992547409.94', 'a double would have changed that amount');
  t.same(JSON.parse(text).list, [19.99, 0.07], 'valid JSON');
});

t.test('an ExactDecimal holds a plain decimal only, and refuses to be written without a schema', async (t) => {
  for (const bad of ['1e5', 'NaN', '1.', '.5', '01', ' 1', '1,5', '', '-', '1.5"', '0x10']) t.throws(() => money(bad), RangeError, bad);
  t.throws(() => JSON.stringify({ amount: money('1') }), TypeError, 'JSON.stringify would write {"text":…}: refused');
});

t.test('undeclared properties never leave, and a missing one is an error, not a partial answer', async (t) => {
  const serialize = compileResponseSerializer(Type.Object({ id: Type.String(), amount: MoneyOut }));
  t.equal(serialize({ id: 'a', amount: money('1'), password_hash: 'scrypt$16384$…', internal: { sql: 'select 1' } }), '{"id":"a","amount":1}');
  t.throws(() => serialize({ id: 'a' }), /"amount" is required/);
});

t.test('presenters are typed by their schema: a field the schema lacks does not compile', async (t) => {
  const profile: UserProfile = { id: 'u', email: 'a@example.com', fullName: 'A', createdAt: '2026-01-01T00:00:00.000Z' };
  // @ts-expect-error password_hash is not in UserOut (`pnpm typecheck` fails if this ever compiles)
  const leaky: Static<typeof UserOut> = { ...presentUser(profile), password_hash: 'scrypt$…' };
  // @ts-expect-error a balance must be an ExactDecimal: a plain number would have gone through a double
  const rounded: Static<typeof MoneyOut> = 1000.5;
  t.ok(leaky);
  t.ok(rounded);
});

t.test('a presenter that returns a field the schema lacks leaks nothing to the client', async (t) => {
  // The serializer compiler the app installs, on routes answering with the app's schemas through
  // presenters that (by mistake) add the password hash and internals.
  const { app: api } = await testApp();
  t.teardown(() => api.close());
  const compiler = api.serializerCompiler;
  t.ok(compiler, 'the app sets a serializer compiler');
  const app = Fastify({ logger: false });
  t.teardown(() => app.close());
  app.setSerializerCompiler(compiler!);
  const profile: UserProfile = { id: '3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d', email: 'a@example.com', fullName: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' };
  const entry: LedgerEntry = {
    id: '5b0d6a3e-2f7c-4b1a-9e8d-7c6b5a4f3e2d',
    accountId: profile.id,
    sequence: 1,
    type: 'DEPOT',
    direction: 'CREDIT',
    amount: 9007199254740991,
    currency: 'HTG',
    balanceAfter: 9007199254740991,
    description: null,
    transferId: null,
    counterpartyAccountNumber: null,
    createdAt: profile.createdAt,
  };
  const leak = { password_hash: 'scrypt$16384$8$1$c2FsdA$aGFzaA', sql: 'select * from users' };
  app.get('/me', { schema: { response: { 200: UserOut } } }, () => ({ ...presentUser(profile), ...leak }));
  app.get('/line', { schema: { response: { 200: TransactionOut } } }, () => ({ ...presentTransaction(entry), ...leak }));

  const me = await app.inject({ method: 'GET', url: '/me' });
  t.equal(me.statusCode, 200);
  t.equal(me.body, '{"id":"3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d","email":"a@example.com","full_name":"Ada","created_at":"2026-01-01T00:00:00.000Z"}');
  const line = await app.inject({ method: 'GET', url: '/line' });
  t.equal(line.statusCode, 200);
  t.notMatch(line.body, /password_hash|scrypt|select/);
  t.match(line.body, /"amount":90071992547409\.91,"balance_after":90071992547409\.91,/);
});

t.test('a response missing a field of its schema is a 500 problem, never a partial answer', async (t) => {
  const { app, bank } = await testApp();
  t.teardown(() => app.close());
  const alice = await signUp(app);
  // A profile that lost its email on the way (a drifted adapter, say): the presenter passes undefined on.
  const { app: drifted } = await testApp({
    bank,
    deps: {
      banking: {
        ...bank.banking,
        // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- a stand-in use case: the app only calls execute()
        getProfile: { execute: async (id: string) => ({ ...(await bank.banking.getProfile.execute(id)), email: undefined as unknown as string }) },
      } as Banking,
    },
  });
  t.teardown(() => drifted.close());
  const me = await drifted.inject({ method: 'GET', url: `${API}/auth/me`, headers: alice.headers });
  t.equal(me.statusCode, 500);
  t.match(me.headers['content-type'], /^application\/problem\+json/);
  t.match(json(me), { code: 'internal_error' });
  t.notMatch(me.body, alice.email);
});

t.test('the app answers byte for byte as the contract has it: field order, number text, null', async (t) => {
  const { app } = await testApp();
  t.teardown(() => app.close());
  const alice = await signUp(app);
  const bob = await signUp(app);
  const from = await openAccount(app, alice);
  const to = await openAccount(app, bob);
  const line = await app.inject({
    method: 'POST',
    url: `${API}/accounts/${from.id}/transactions`,
    headers: alice.headers,
    payload: { amount: '1000.50', type: 'DEPOT', description: 'Salaire "mai" \u00e9t\u00e9 \u2028' },
  });
  const l = json(line);
  t.equal(
    line.body,
    `{"id":"${l.id}","account_id":"${from.id}","type":"DEPOT","direction":"CREDIT","amount":1000.5,"balance_after":1000.5,` +
      `"description":"Salaire \\"mai\\" \u00e9t\u00e9 \u2028","transfer_id":null,"counterparty_account_number":null,"created_at":"${l.created_at}"}`,
  );
  const sent = await app.inject({
    method: 'POST',
    url: `${API}/transfers`,
    headers: alice.headers,
    payload: { from_account_id: from.id, to_account_number: to.account_number, amount: 250.5, description: 'Rent' },
  });
  const s = json(sent);
  const transfer = (newBalance: string) =>
    `{"transfer_id":"${s.transfer_id}","status":"success","from_account":"${from.account_number}","to_account":"${to.account_number}",` +
    `"amount":250.5,"currency":"HTG","new_balance":${newBalance},"description":"Rent","created_at":"${s.created_at}"}`;
  t.equal(sent.body, transfer('750'));
  const seenByBob = await app.inject({ method: 'GET', url: `${API}/transfers/${s.transfer_id}`, headers: bob.headers });
  t.equal(seenByBob.body, transfer('null'), 'the receiving side: new_balance null');
  const balance = await app.inject({ method: 'GET', url: `${API}/accounts/${to.id}/balance`, headers: bob.headers });
  t.equal(balance.body, `{"account_id":"${to.id}","account_number":"${to.account_number}","balance":250.5,"currency":"HTG","as_of":"${json(balance).as_of}"}`);
  const account = await app.inject({ method: 'GET', url: `${API}/accounts/${from.id}`, headers: alice.headers });
  t.equal(
    account.body,
    `{"id":"${from.id}","account_number":"${from.account_number}","account_type":"COURANT","currency":"HTG","balance":750,"status":"ACTIVE",` +
      `"owner_id":"${alice.id}","created_at":"${from.created_at}","updated_at":"${json(account).updated_at}"}`,
  );

  const form = (fields: Record<string, string>) => ({
    method: 'POST' as const,
    url: `${API}/auth/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
  const token = await app.inject(form({ grant_type: 'password', username: alice.email, password: alice.password }));
  t.match(token.body, /^\{"access_token":"[\w.-]+","refresh_token":"[\w.-]+","token_type":"bearer","expires_in":1800\}$/, 'RFC 6749 §5.1');
  const refused = await app.inject(form({ grant_type: 'password', username: alice.email, password: 'wrong-password' }));
  t.equal(refused.statusCode, 400);
  t.match(refused.body, /^\{"error":"invalid_grant","error_description":"[^"]+"\}$/, 'RFC 6749 §5.2');
});
