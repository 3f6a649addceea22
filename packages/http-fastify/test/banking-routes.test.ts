import { MemoryUnitOfWork } from '@banking/adapters-memory';
import { randomUUID } from 'node:crypto';
import type { TransactionContext } from '@banking/domain';
import { memoryBanking } from '@banking/testing';
import t from 'tap';
import { API, balanceOf, deposit, json, openAccount, signUp, testApp, testHasher, type Client } from './app-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

t.test("the seed's test_full_flow, literally", async (t) => {
  const { app } = await testApp();
  t.teardown(() => app.close());
  const client = { post: (url: string, body: object, headers = {}) => app.inject({ method: 'POST', url, payload: body, headers }) };

  // 1. Register
  let response = await client.post('/api/v1/auth/register', { email: 'test@example.com', password: 'password123', full_name: 'Test User' });
  t.equal(response.statusCode, 201);
  // 2. Login
  response = await client.post('/api/v1/auth/login', { email: 'test@example.com', password: 'password123' });
  t.equal(response.statusCode, 200);
  const token = json(response).access_token;
  const headers = { Authorization: `Bearer ${token}` };
  // 3. Create account
  response = await client.post('/api/v1/accounts', { account_type: 'COURANT', currency: 'HTG' }, headers);
  t.equal(response.statusCode, 201);
  const accountId = json(response).id;
  // 4. Make deposit
  response = await client.post(`/api/v1/accounts/${accountId}/transactions`, { amount: 1000.0, type: 'DEPOT', description: 'Initial deposit' }, headers);
  t.equal(response.statusCode, 201);
  // 5. Check balance
  response = await app.inject({ method: 'GET', url: `/api/v1/accounts/${accountId}/balance`, headers });
  t.equal(response.statusCode, 200);
  t.equal(json(response).balance, 1000.0);
  t.match(response.body, /"balance":1000[,}]/, 'the JSON text is the exact decimal');
});

t.test('accounts', async (t) => {
  const { app, bank } = await testApp();
  t.teardown(() => app.close());
  const alice = await signUp(app);
  const mallory = await signUp(app);

  let account: any;
  await t.test('open: 201 Account; currency defaults to HTG', async (t) => {
    const response = await app.inject({ method: 'POST', url: `${API}/accounts`, headers: alice.headers, payload: { account_type: 'EPARGNE' } });
    t.equal(response.statusCode, 201);
    account = json(response);
    t.same(Object.keys(account).sort(), ['account_number', 'account_type', 'balance', 'created_at', 'currency', 'id', 'owner_id', 'status', 'updated_at']);
    t.match(account, {
      id: UUID,
      account_number: /^[0-9]{12}$/,
      account_type: 'EPARGNE',
      currency: 'HTG',
      balance: 0,
      status: 'ACTIVE',
      owner_id: alice.id,
      created_at: ISO,
      updated_at: ISO,
    });
  });

  await t.test('get, balance, list', async (t) => {
    const got = await app.inject({ method: 'GET', url: `${API}/accounts/${account.id}`, headers: alice.headers });
    t.equal(got.statusCode, 200);
    t.same(json(got), account);
    const balance = await app.inject({ method: 'GET', url: `${API}/accounts/${account.id}/balance`, headers: alice.headers });
    t.equal(balance.statusCode, 200);
    t.match(json(balance), { account_id: account.id, account_number: account.account_number, balance: 0, currency: 'HTG', as_of: ISO });
    bank.clock.advance(1000);
    const usd = await openAccount(app, alice, { account_type: 'COURANT', currency: 'USD' });
    const list = await app.inject({ method: 'GET', url: `${API}/accounts`, headers: alice.headers });
    t.equal(list.statusCode, 200);
    t.match(json(list), { total: 2, page: 1, page_size: 20, total_pages: 1 });
    t.same(json(list).items.map((a: any) => a.id), [account.id, usd.id], 'oldest first');
    const filtered = json(await app.inject({ method: 'GET', url: `${API}/accounts?account_type=COURANT&status=ACTIVE&page=1&page_size=1`, headers: alice.headers }));
    t.match(filtered, { total: 1, page: 1, page_size: 1, total_pages: 1 });
    t.equal(filtered.items[0].id, usd.id);
    const page2 = json(await app.inject({ method: 'GET', url: `${API}/accounts?page=2&page_size=1`, headers: alice.headers }));
    t.match(page2, { total: 2, page: 2, page_size: 1, total_pages: 2 });
    t.equal(page2.items[0].id, usd.id);
    const mine = json(await app.inject({ method: 'GET', url: `${API}/accounts`, headers: mallory.headers }));
    t.equal(mine.total, 0, "another user's list holds none of them");
  });

  await t.test('freeze / unfreeze', async (t) => {
    const frozen = await app.inject({ method: 'POST', url: `${API}/accounts/${account.id}/freeze`, headers: alice.headers });
    t.equal(frozen.statusCode, 200);
    t.equal(json(frozen).status, 'FROZEN');
    const again = await app.inject({ method: 'POST', url: `${API}/accounts/${account.id}/freeze`, headers: alice.headers });
    t.equal(again.statusCode, 400);
    t.equal(json(again).code, 'account_frozen');
    const deposit = await app.inject({ method: 'POST', url: `${API}/accounts/${account.id}/transactions`, headers: alice.headers, payload: { amount: 5, type: 'DEPOT' } });
    t.equal(deposit.statusCode, 400);
    t.equal(json(deposit).code, 'account_frozen');
    const thawed = await app.inject({ method: 'POST', url: `${API}/accounts/${account.id}/unfreeze`, headers: alice.headers });
    t.equal(thawed.statusCode, 200);
    t.equal(json(thawed).status, 'ACTIVE');
    const notFrozen = await app.inject({ method: 'POST', url: `${API}/accounts/${account.id}/unfreeze`, headers: alice.headers });
    t.equal(notFrozen.statusCode, 400);
    t.equal(json(notFrozen).code, 'account_not_frozen');
  });

  await t.test('close: 400 balance_not_zero, then 204; the account stays, CLOSED, with its history', async (t) => {
    await deposit(app, alice, account.id, '10.50');
    const refused = await app.inject({ method: 'DELETE', url: `${API}/accounts/${account.id}`, headers: alice.headers });
    t.equal(refused.statusCode, 400);
    t.equal(json(refused).code, 'balance_not_zero');
    t.match(json(refused).detail, /10\.5 HTG/);
    await app.inject({ method: 'POST', url: `${API}/accounts/${account.id}/transactions`, headers: alice.headers, payload: { amount: 10.5, type: 'RETRAIT' } });
    const closed = await app.inject({ method: 'DELETE', url: `${API}/accounts/${account.id}`, headers: alice.headers });
    t.equal(closed.statusCode, 204);
    t.equal(closed.body, '');
    const after = json(await app.inject({ method: 'GET', url: `${API}/accounts/${account.id}`, headers: alice.headers }));
    t.equal(after.status, 'CLOSED');
    const history = json(await app.inject({ method: 'GET', url: `${API}/accounts/${account.id}/transactions`, headers: alice.headers }));
    t.equal(history.total, 2);
    for (const [method, url, code] of [
      ['DELETE', `${API}/accounts/${account.id}`, 'account_closed'],
      ['POST', `${API}/accounts/${account.id}/freeze`, 'account_closed'],
      ['POST', `${API}/accounts/${account.id}/unfreeze`, 'account_closed'],
    ] as const) {
      const response = await app.inject({ method, url, headers: alice.headers });
      t.equal(response.statusCode, 400, `${method} ${url}`);
      t.equal(json(response).code, code);
    }
    const deposit2 = await app.inject({ method: 'POST', url: `${API}/accounts/${account.id}/transactions`, headers: alice.headers, payload: { amount: 1, type: 'DEPOT' } });
    t.equal(json(deposit2).code, 'account_closed');
    const closedList = json(await app.inject({ method: 'GET', url: `${API}/accounts?status=CLOSED`, headers: alice.headers }));
    t.equal(closedList.total, 1);
  });

  await t.test('at most 5 accounts that are not closed: 400 account_limit_reached', async (t) => {
    const bob = await signUp(app);
    for (let i = 0; i < 5; i++) await openAccount(app, bob);
    const sixth = await app.inject({ method: 'POST', url: `${API}/accounts`, headers: bob.headers, payload: { account_type: 'COURANT' } });
    t.equal(sixth.statusCode, 400);
    t.equal(json(sixth).code, 'account_limit_reached');
    t.equal(json(await app.inject({ method: 'GET', url: `${API}/accounts`, headers: bob.headers })).total, 5);
  });

  await t.test("another user's account is 404 not_found everywhere, exactly like an unknown id", async (t) => {
    const target = await openAccount(app, alice);
    await deposit(app, alice, target.id, 100);
    for (const id of [target.id, randomUUID()]) {
      const routes: [string, string, object?][] = [
        ['GET', `${API}/accounts/${id}`],
        ['GET', `${API}/accounts/${id}/balance`],
        ['POST', `${API}/accounts/${id}/freeze`],
        ['POST', `${API}/accounts/${id}/unfreeze`],
        ['DELETE', `${API}/accounts/${id}`],
        ['GET', `${API}/accounts/${id}/transactions`],
        ['POST', `${API}/accounts/${id}/transactions`, { amount: 10, type: 'RETRAIT' }],
        ['POST', `${API}/accounts/${id}/transactions`, { amount: 10, type: 'DEPOT' }],
      ];
      for (const [method, url, payload] of routes) {
        const response = await app.inject({ method: method as 'GET', url, headers: mallory.headers, ...(payload && { payload }) });
        t.equal(response.statusCode, 404, `${method} ${url}`);
        t.match(json(response), { code: 'not_found', status: 404 });
        t.notMatch(response.body, new RegExp(target.account_number), 'nothing about the account leaks');
      }
    }
    t.equal(await balanceOf(app, alice, target.id), 100, 'untouched');
    t.equal(json(await app.inject({ method: 'GET', url: `${API}/accounts/${target.id}`, headers: alice.headers })).status, 'ACTIVE');
  });
});

t.test('transactions', async (t) => {
  const { app } = await testApp();
  t.teardown(() => app.close());
  const alice = await signUp(app);
  const account = await openAccount(app, alice);
  const post = (body: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `${API}/accounts/${account.id}/transactions`, headers: { ...alice.headers, ...headers }, payload: body });

  await t.test('deposit and withdraw: 201 Transaction with exact amounts', async (t) => {
    const d = await post({ amount: '1000.50', type: 'DEPOT', description: 'Salary' });
    t.equal(d.statusCode, 201);
    const line = json(d);
    t.same(Object.keys(line).sort(), [
      'account_id',
      'amount',
      'balance_after',
      'counterparty_account_number',
      'created_at',
      'description',
      'direction',
      'id',
      'transfer_id',
      'type',
    ]);
    t.match(line, { id: UUID, account_id: account.id, type: 'DEPOT', direction: 'CREDIT', amount: 1000.5, balance_after: 1000.5, description: 'Salary', transfer_id: null, counterparty_account_number: null });
    t.match(d.body, /"amount":1000\.5,"balance_after":1000\.5/);
    const w = json(await post({ amount: 0.51, type: 'RETRAIT' }));
    t.match(w, { type: 'RETRAIT', direction: 'DEBIT', amount: 0.51, balance_after: 999.99, description: null });
    t.equal(await balanceOf(app, alice, account.id), 999.99);
    const sum = json(await post({ amount: 0.1, type: 'DEPOT' }));
    const sum2 = json(await post({ amount: 0.2, type: 'DEPOT' }));
    t.equal(sum.balance_after, 1000.09);
    t.equal(sum2.balance_after, 1000.29, 'no binary floating point drift');
  });

  await t.test('insufficient funds: 400, the detail states the available balance, nothing moves', async (t) => {
    const response = await post({ amount: 5000, type: 'RETRAIT' });
    t.equal(response.statusCode, 400);
    t.match(json(response), { code: 'insufficient_funds', detail: /1000\.29 HTG/ });
    t.equal(await balanceOf(app, alice, account.id), 1000.29);
  });

  await t.test('a balance that would pass the largest exact amount: 400 balance_limit_exceeded', async (t) => {
    const big = await testApp({ bank: memoryBanking({ hasher: testHasher(), policy: { maxAmount: 1_000_000_000_000 } }) });
    t.teardown(() => big.app.close());
    const whale = await signUp(big.app);
    const vault = await openAccount(big.app, whale);
    for (let i = 0; i < 90; i++) await deposit(big.app, whale, vault.id, 1_000_000_000_000);
    t.equal(await balanceOf(big.app, whale, vault.id), 90_000_000_000_000, 'large balances stay exact');
    const over = await big.app.inject({
      method: 'POST',
      url: `${API}/accounts/${vault.id}/transactions`,
      headers: whale.headers,
      payload: { amount: '1000000000000', type: 'DEPOT' },
    });
    t.equal(over.statusCode, 400);
    t.equal(json(over).code, 'balance_limit_exceeded');
    // Past 15 significant digits a double cannot hold every cent: the JSON text still must.
    const cents = await big.app.inject({ method: 'POST', url: `${API}/accounts/${vault.id}/transactions`, headers: whale.headers, payload: { amount: '0.99', type: 'DEPOT' } });
    t.equal(cents.statusCode, 201);
    t.match(cents.body, /"amount":0\.99,"balance_after":90000000000000\.99,/, 'the number text is the exact decimal');
    const balance = await big.app.inject({ method: 'GET', url: `${API}/accounts/${vault.id}/balance`, headers: whale.headers });
    t.match(balance.body, /"balance":90000000000000\.99,/);
  });

  await t.test('JPY has no decimals', async (t) => {
    const yen = await openAccount(app, alice, { account_type: 'COURANT', currency: 'JPY' });
    const ok = await app.inject({ method: 'POST', url: `${API}/accounts/${yen.id}/transactions`, headers: alice.headers, payload: { amount: 1500, type: 'DEPOT' } });
    t.equal(ok.statusCode, 201);
    t.equal(json(ok).amount, 1500);
    const decimals = await app.inject({ method: 'POST', url: `${API}/accounts/${yen.id}/transactions`, headers: alice.headers, payload: { amount: 1.5, type: 'DEPOT' } });
    t.equal(decimals.statusCode, 422);
    t.match(json(decimals).errors, [{ field: 'amount', message: /no decimals/ }]);
  });

  await t.test('list: newest first, filters, pagination', async (t) => {
    const all = json(await app.inject({ method: 'GET', url: `${API}/accounts/${account.id}/transactions`, headers: alice.headers }));
    t.match(all, { total: 4, page: 1, page_size: 20, total_pages: 1 });
    t.same(all.items.map((i: any) => i.amount), [0.2, 0.1, 0.51, 1000.5]);
    const deposits = json(await app.inject({ method: 'GET', url: `${API}/accounts/${account.id}/transactions?type=DEPOT&page_size=2&page=2`, headers: alice.headers }));
    t.match(deposits, { total: 3, page: 2, page_size: 2, total_pages: 2 });
    t.same(deposits.items.map((i: any) => i.amount), [1000.5]);
    const dated = json(
      await app.inject({ method: 'GET', url: `${API}/accounts/${account.id}/transactions?from_date=2026-01-01&to_date=2026-01-01T23:59:59Z`, headers: alice.headers }),
    );
    t.equal(dated.total, 4, 'the fixed test clock is 2026-01-01');
    const before = json(await app.inject({ method: 'GET', url: `${API}/accounts/${account.id}/transactions?to_date=2025-12-31`, headers: alice.headers }));
    t.equal(before.total, 0);
  });
});

t.test('transfers', async (t) => {
  const { app } = await testApp();
  t.teardown(() => app.close());
  const alice = await signUp(app);
  const bob = await signUp(app);
  const from = await openAccount(app, alice);
  const to = await openAccount(app, bob);
  await deposit(app, alice, from.id, 500);
  const transfer = (client: Client, body: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `${API}/transfers`, headers: { ...client.headers, ...headers }, payload: body });

  let made: any;
  await t.test('201: both sides move together', async (t) => {
    const response = await transfer(alice, { from_account_id: from.id, to_account_number: to.account_number, amount: 120.25, description: 'Rent' });
    t.equal(response.statusCode, 201);
    made = json(response);
    t.match(made, {
      transfer_id: UUID,
      status: 'success',
      from_account: from.account_number,
      to_account: to.account_number,
      amount: 120.25,
      currency: 'HTG',
      new_balance: 379.75,
      created_at: ISO,
    });
    t.equal(await balanceOf(app, alice, from.id), 379.75);
    t.equal(await balanceOf(app, bob, to.id), 120.25);
    const debit = json(await app.inject({ method: 'GET', url: `${API}/accounts/${from.id}/transactions?type=VIREMENT`, headers: alice.headers })).items[0];
    const credit = json(await app.inject({ method: 'GET', url: `${API}/accounts/${to.id}/transactions`, headers: bob.headers })).items[0];
    t.match(debit, { type: 'VIREMENT', direction: 'DEBIT', amount: 120.25, balance_after: 379.75, transfer_id: made.transfer_id, counterparty_account_number: to.account_number });
    t.match(credit, { type: 'VIREMENT', direction: 'CREDIT', amount: 120.25, balance_after: 120.25, transfer_id: made.transfer_id, counterparty_account_number: from.account_number });
  });

  await t.test('GET: both parties see it (new_balance only for the source); anyone else gets 404', async (t) => {
    const mine = await app.inject({ method: 'GET', url: `${API}/transfers/${made.transfer_id}`, headers: alice.headers });
    t.equal(mine.statusCode, 200);
    t.same(json(mine), made);
    const theirs = json(await app.inject({ method: 'GET', url: `${API}/transfers/${made.transfer_id}`, headers: bob.headers }));
    t.equal(theirs.new_balance, null, "the receiver does not see the sender's balance");
    t.equal(theirs.amount, 120.25);
    const eve = await signUp(app);
    for (const id of [made.transfer_id, randomUUID()]) {
      const response = await app.inject({ method: 'GET', url: `${API}/transfers/${id}`, headers: eve.headers });
      t.equal(response.statusCode, 404);
      t.equal(json(response).code, 'not_found');
    }
  });

  await t.test('refusals: 404 and 400 codes, and no money moves', async (t) => {
    const eve = await signUp(app);
    const frozen = await openAccount(app, bob);
    await app.inject({ method: 'POST', url: `${API}/accounts/${frozen.id}/freeze`, headers: bob.headers });
    const usd = await openAccount(app, bob, { account_type: 'COURANT', currency: 'USD' });
    const closed = await openAccount(app, bob);
    await app.inject({ method: 'DELETE', url: `${API}/accounts/${closed.id}`, headers: bob.headers });
    const cases: [string, Client, object, number, string][] = [
      ["someone else's source", eve, { from_account_id: from.id, to_account_number: to.account_number, amount: 1 }, 404, 'not_found'],
      ['unknown source', alice, { from_account_id: randomUUID(), to_account_number: to.account_number, amount: 1 }, 404, 'not_found'],
      ['unknown destination', alice, { from_account_id: from.id, to_account_number: '000000000000', amount: 1 }, 404, 'not_found'],
      ['same account', alice, { from_account_id: from.id, to_account_number: from.account_number, amount: 1 }, 400, 'same_account'],
      ['frozen destination', alice, { from_account_id: from.id, to_account_number: frozen.account_number, amount: 1 }, 400, 'account_frozen'],
      ['closed destination', alice, { from_account_id: from.id, to_account_number: closed.account_number, amount: 1 }, 400, 'account_closed'],
      ['currency mismatch', alice, { from_account_id: from.id, to_account_number: usd.account_number, amount: 1 }, 400, 'currency_mismatch'],
      ['insufficient funds', alice, { from_account_id: from.id, to_account_number: to.account_number, amount: 379.76 }, 400, 'insufficient_funds'],
    ];
    for (const [name, client, body, status, code] of cases) {
      const response = await transfer(client, body);
      t.equal(response.statusCode, status, name);
      t.equal(json(response).code, code, name);
    }
    await app.inject({ method: 'POST', url: `${API}/accounts/${from.id}/freeze`, headers: alice.headers });
    const frozenSource = await transfer(alice, { from_account_id: from.id, to_account_number: to.account_number, amount: 1 });
    t.equal(json(frozenSource).code, 'account_frozen', 'frozen source');
    await app.inject({ method: 'POST', url: `${API}/accounts/${from.id}/unfreeze`, headers: alice.headers });
    t.equal(await balanceOf(app, alice, from.id), 379.75);
    t.equal(await balanceOf(app, bob, to.id), 120.25);
  });
});

t.test('Idempotency-Key', async (t) => {
  const { app } = await testApp();
  t.teardown(() => app.close());
  const alice = await signUp(app);
  const bob = await signUp(app);
  const account = await openAccount(app, alice);
  const target = await openAccount(app, bob);
  const post = (body: object, key?: string, client = alice) =>
    app.inject({
      method: 'POST',
      url: `${API}/accounts/${account.id}/transactions`,
      headers: { ...client.headers, ...(key !== undefined && { 'Idempotency-Key': key }) },
      payload: body,
    });

  await t.test('a retry with the same key and body replays the first response and moves no money', async (t) => {
    const first = await post({ amount: 100, type: 'DEPOT', description: 'once' }, 'key-1');
    t.equal(first.statusCode, 201);
    t.notOk(first.headers['idempotent-replayed']);
    const retry = await post({ amount: 100, type: 'DEPOT', description: 'once' }, 'key-1');
    t.equal(retry.statusCode, 201);
    t.equal(retry.headers['idempotent-replayed'], 'true');
    t.equal(retry.body, first.body, 'same body, byte for byte');
    t.equal(await balanceOf(app, alice, account.id), 100);
    const sameAmountOtherText = await post({ amount: '100', type: 'DEPOT', description: 'once' }, 'key-1');
    t.equal(sameAmountOtherText.statusCode, 201, '100 and "100" are the same amount');
    t.equal(await balanceOf(app, alice, account.id), 100);
  });

  await t.test('the same key with a different body → 422 idempotency_key_reused', async (t) => {
    const response = await post({ amount: 200, type: 'DEPOT', description: 'once' }, 'key-1');
    t.equal(response.statusCode, 422);
    t.equal(json(response).code, 'idempotency_key_reused');
    t.equal(await balanceOf(app, alice, account.id), 100);
  });

  await t.test('keys are scoped per user', async (t) => {
    const bobAccount = await openAccount(app, bob);
    const response = await app.inject({
      method: 'POST',
      url: `${API}/accounts/${bobAccount.id}/transactions`,
      headers: { ...bob.headers, 'Idempotency-Key': 'key-1' },
      payload: { amount: 7, type: 'DEPOT' },
    });
    t.equal(response.statusCode, 201);
    t.notOk(response.headers['idempotent-replayed']);
  });

  await t.test('a refusal is replayed too, with the header', async (t) => {
    const first = await post({ amount: 1000, type: 'RETRAIT' }, 'key-2');
    t.equal(first.statusCode, 400);
    t.equal(json(first).code, 'insufficient_funds');
    await post({ amount: 5000, type: 'DEPOT' });
    const retry = await post({ amount: 1000, type: 'RETRAIT' }, 'key-2');
    t.equal(retry.statusCode, 400, 'the recorded refusal, although the funds are there now');
    t.equal(retry.headers['idempotent-replayed'], 'true');
    t.same(json(retry), json(first));
    t.equal(await balanceOf(app, alice, account.id), 5100);
  });

  await t.test('without the header every request is a new operation', async (t) => {
    await post({ amount: 1, type: 'DEPOT' });
    await post({ amount: 1, type: 'DEPOT' });
    t.equal(await balanceOf(app, alice, account.id), 5102);
  });

  await t.test('transfers replay the same way', async (t) => {
    const body = { from_account_id: account.id, to_account_number: target.account_number, amount: 2 };
    const send = () => app.inject({ method: 'POST', url: `${API}/transfers`, headers: { ...alice.headers, 'idempotency-key': 'transfer-1' }, payload: body });
    const first = await send();
    const retry = await send();
    t.equal(first.statusCode, 201);
    t.equal(retry.statusCode, 201);
    t.equal(retry.headers['idempotent-replayed'], 'true');
    t.equal(retry.body, first.body);
    t.equal(await balanceOf(app, bob, target.id), 2);
    const other = await app.inject({ method: 'POST', url: `${API}/transfers`, headers: { ...alice.headers, 'idempotency-key': 'transfer-1' }, payload: { ...body, amount: 3 } });
    t.equal(other.statusCode, 422);
    t.equal(json(other).code, 'idempotency_key_reused');
  });

  await t.test('a key outside 1-255 visible ASCII characters → 422, nothing moves', async (t) => {
    for (const key of ['', 'a'.repeat(256), 'has space', 'tab\tkey', 'é']) {
      const response = await app.inject({
        method: 'POST',
        url: `${API}/accounts/${account.id}/transactions`,
        headers: { ...alice.headers, 'idempotency-key': key },
        payload: { amount: 1, type: 'DEPOT' },
      });
      t.equal(response.statusCode, 422, JSON.stringify(key));
      t.match(json(response), { code: 'validation_failed', errors: [{ field: 'Idempotency-Key' }] });
    }
    t.equal(await balanceOf(app, alice, account.id), 5100);
  });

  await t.test('a retry while the first is still running → 409 idempotency_in_progress', async (t) => {
    // The memory store serialises units of work, so a claim held by another transaction is
    // simulated: the store answers that (user, "busy") is claimed elsewhere, as PostgreSQL does
    // while the first request's transaction runs.
    class BusyKeyUnitOfWork extends MemoryUnitOfWork {
      override run<T>(work: (tx: TransactionContext) => Promise<T>): Promise<T> {
        return super.run((tx) => {
          const claim = tx.idempotency.claim.bind(tx.idempotency);
          const idempotency = Object.assign(Object.create(tx.idempotency), {
            claim: (userId: string, key: string) => (key === 'busy' ? Promise.resolve(false) : claim(userId, key)),
          });
          return work({ ...tx, idempotency });
        });
      }
    }
    const busy = await testApp({ bank: memoryBanking({ uow: new BusyKeyUnitOfWork(), hasher: testHasher() }) });
    t.teardown(() => busy.app.close());
    const carol = await signUp(busy.app);
    const acc = await openAccount(busy.app, carol);
    const send = (key: string) =>
      busy.app.inject({
        method: 'POST',
        url: `${API}/accounts/${acc.id}/transactions`,
        headers: { ...carol.headers, 'idempotency-key': key },
        payload: { amount: 9, type: 'DEPOT' },
      });
    const held = await send('busy');
    t.equal(held.statusCode, 409);
    t.equal(json(held).code, 'idempotency_in_progress');
    t.equal(await balanceOf(busy.app, carol, acc.id), 0);
    t.equal((await send('free')).statusCode, 201);
  });
});
