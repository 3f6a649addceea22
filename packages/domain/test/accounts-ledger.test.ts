import t from 'tap';
import { ScriptedRandom } from '@banking/testing';
import { bank, footprint, NOT_A_UUID, UNKNOWN_ID } from './support/bank.js';

const MINUTE = 60 * 1000;

t.test('openAccount', async (t) => {
  t.test('opens an ACTIVE HTG account with a 12-digit number and a zero balance', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const now = b.clock.now().toISOString();
    const account = await b.banking.openAccount.execute({ userId: alice.id, type: 'COURANT' });
    t.match(account, {
      ownerId: alice.id,
      type: 'COURANT',
      currency: 'HTG',
      balance: 0,
      status: 'ACTIVE',
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    t.match(account.id, /^[0-9a-f-]{36}$/);
    t.match(account.number, /^\d{12}$/);
    t.same(b.state().accounts.get(account.id), account, 'stored as returned');
    const savings = await b.banking.openAccount.execute({ userId: alice.id, type: 'EPARGNE', currency: 'JPY' });
    t.match(savings, { type: 'EPARGNE', currency: 'JPY' });
    t.not(savings.number, account.number);
  });

  t.test('account numbers are unique: a drawn number already in use is drawn again', async (t) => {
    const b = bank({ random: new ScriptedRandom(['111111111111', '111111111111', '222222222222']) });
    const alice = await b.customer();
    t.equal((await alice.account()).number, '111111111111');
    t.equal((await alice.account()).number, '222222222222');
  });

  t.test('refuses an unknown type or currency, naming each field', async (t) => {
    const b = bank();
    const alice = await b.customer();
    for (const type of ['', 'courant', 'SAVINGS', 'VIREMENT']) {
      await t.rejects(b.banking.openAccount.execute({ userId: alice.id, type }), {
        code: 'validation_failed',
        errors: [{ field: 'account_type' }],
      });
    }
    for (const currency of ['', 'htg', 'XXX', 'EURO', 'toString', '__proto__']) {
      await t.rejects(b.banking.openAccount.execute({ userId: alice.id, type: 'COURANT', currency }), {
        code: 'validation_failed',
        errors: [{ field: 'currency' }],
      });
    }
    await t.rejects(b.banking.openAccount.execute({ userId: alice.id, type: 'X', currency: 'Y' }), {
      errors: [{ field: 'account_type' }, { field: 'currency' }],
    });
    t.equal(b.state().accounts.size, 0);
  });

  t.test('an unknown owner is not_found', async (t) => {
    const b = bank();
    await t.rejects(b.banking.openAccount.execute({ userId: UNKNOWN_ID, type: 'COURANT' }), { code: 'not_found', name: 'UserNotFound' });
  });

  t.test('at most 5 accounts that are not closed; closing one frees a slot', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const bob = await b.customer();
    const accounts = [];
    for (let i = 0; i < 5; i++) accounts.push(await alice.account({ type: i % 2 ? 'EPARGNE' : 'COURANT' }));
    await b.banking.freezeAccount.execute({ userId: alice.id, accountId: accounts[0]!.id });
    await t.rejects(alice.account(), { code: 'account_limit_reached', name: 'AccountLimitReached', message: /at most 5/ }, 'frozen accounts count');
    await t.resolves(bob.account(), 'the cap is per user');
    await b.banking.closeAccount.execute({ userId: alice.id, accountId: accounts[1]!.id });
    const sixth = await alice.account();
    t.equal(sixth.status, 'ACTIVE', 'a closed account frees its slot');
    await t.rejects(alice.account(), { code: 'account_limit_reached' });
    t.equal([...b.state().accounts.values()].filter((a) => a.ownerId === alice.id).length, 6, 'the closed one is kept');
  });

  t.test('the cap is configured by policy', async (t) => {
    const b = bank({ policy: { maxOpenAccountsPerUser: 1 } });
    const alice = await b.customer();
    await alice.account();
    await t.rejects(alice.account(), { code: 'account_limit_reached', message: /at most 1 / });
  });
});

t.test('getAccount and getBalance', async (t) => {
  const b = bank();
  const alice = await b.customer();
  const bob = await b.customer();
  const account = await alice.account({ deposit: '1000.5' });
  t.same(await b.banking.getAccount.execute({ userId: alice.id, accountId: account.id }), account);
  b.clock.advance(MINUTE);
  t.same(await b.banking.getBalance.execute({ userId: alice.id, accountId: account.id }), {
    accountId: account.id,
    accountNumber: account.number,
    balance: 100050,
    currency: 'HTG',
    asOf: b.clock.now().toISOString(),
  });
  for (const [label, userId, accountId] of [
    ["another user's account", bob.id, account.id],
    ['an unknown id', alice.id, UNKNOWN_ID],
    ['a non-UUID id', alice.id, NOT_A_UUID],
    ['an empty id', alice.id, ''],
  ] as const) {
    await t.rejects(b.banking.getAccount.execute({ userId, accountId }), { code: 'not_found', name: 'AccountNotFound' }, `getAccount: ${label}`);
    await t.rejects(b.banking.getBalance.execute({ userId, accountId }), { code: 'not_found' }, `getBalance: ${label}`);
  }
});

t.test('listAccounts: the caller’s only, oldest first, filtered and paginated', async (t) => {
  const b = bank();
  const alice = await b.customer();
  const bob = await b.customer();
  await bob.account();
  const opened = [];
  for (let i = 0; i < 5; i++) {
    opened.push(await alice.account({ type: i < 3 ? 'COURANT' : 'EPARGNE' }));
    b.clock.advance(MINUTE);
  }
  await b.banking.freezeAccount.execute({ userId: alice.id, accountId: opened[1]!.id });
  await b.banking.closeAccount.execute({ userId: alice.id, accountId: opened[3]!.id });
  const list = (query: Record<string, unknown> = {}) => b.banking.listAccounts.execute({ userId: alice.id, ...query });

  const all = await list();
  t.match(all, { total: 5, page: 1, pageSize: 20, totalPages: 1 });
  t.same(all.items.map((a) => a.id), opened.map((a) => a.id), 'oldest first');
  t.match(all.items[1], { status: 'FROZEN' });

  const page2 = await list({ page: 2, pageSize: 2 });
  t.match(page2, { total: 5, page: 2, pageSize: 2, totalPages: 3 });
  t.same(page2.items.map((a) => a.id), [opened[2]!.id, opened[3]!.id]);
  t.same((await list({ page: 3, pageSize: 2 })).items.map((a) => a.id), [opened[4]!.id]);
  t.match(await list({ page: 4, pageSize: 2 }), { items: [], total: 5, totalPages: 3 }, 'past the end: empty');
  t.equal((await list({ pageSize: 100 })).items.length, 5);

  t.same((await list({ status: 'ACTIVE' })).items.map((a) => a.id), [opened[0]!.id, opened[2]!.id, opened[4]!.id]);
  t.same((await list({ status: 'CLOSED' })).items.map((a) => a.id), [opened[3]!.id]);
  t.same((await list({ type: 'EPARGNE' })).items.map((a) => a.id), [opened[3]!.id, opened[4]!.id]);
  t.match(await list({ type: 'EPARGNE', status: 'ACTIVE' }), { total: 1, items: [{ id: opened[4]!.id }] });

  const bobs = await b.banking.listAccounts.execute({ userId: bob.id });
  t.equal(bobs.total, 1);
  t.match(await b.banking.listAccounts.execute({ userId: UNKNOWN_ID }), { items: [], total: 0, totalPages: 0 });

  for (const [query, field] of [
    [{ page: 0 }, 'page'],
    [{ page: -1 }, 'page'],
    [{ page: 1.5 }, 'page'],
    [{ page: NaN }, 'page'],
    [{ pageSize: 0 }, 'page_size'],
    [{ pageSize: 101 }, 'page_size'],
    [{ status: 'OPEN' }, 'status'],
    [{ type: 'courant' }, 'account_type'],
  ] as const) {
    await t.rejects(list(query), { code: 'validation_failed', errors: [{ field }] }, JSON.stringify(query));
  }
});

t.test('freezeAccount, unfreezeAccount, closeAccount', async (t) => {
  t.test('legal transitions', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const account = await alice.account();
    const query = { userId: alice.id, accountId: account.id };
    b.clock.advance(MINUTE);
    const frozen = await b.banking.freezeAccount.execute(query);
    t.match(frozen, { status: 'FROZEN', version: account.version + 1, updatedAt: b.clock.now().toISOString(), createdAt: account.createdAt });
    await t.rejects(b.banking.freezeAccount.execute(query), { code: 'account_frozen', name: 'AccountFrozen' }, 'already frozen');
    const active = await b.banking.unfreezeAccount.execute(query);
    t.match(active, { status: 'ACTIVE', version: account.version + 2 });
    await t.rejects(b.banking.unfreezeAccount.execute(query), { code: 'account_not_frozen', name: 'AccountNotFrozen' }, 'not frozen');
    await b.banking.freezeAccount.execute(query);
    const closed = await b.banking.closeAccount.execute(query);
    t.match(closed, { status: 'CLOSED' }, 'a frozen account at zero may be closed');
    for (const action of ['freezeAccount', 'unfreezeAccount', 'closeAccount'] as const) {
      await t.rejects(b.banking[action].execute(query), { code: 'account_closed', name: 'AccountClosed' }, `${action} on closed`);
    }
    t.match(await b.banking.getAccount.execute(query), { status: 'CLOSED' }, 'a closed account is kept');
  });

  t.test('closing needs a zero balance, and keeps the history', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const account = await alice.account({ deposit: '10.5' });
    const query = { userId: alice.id, accountId: account.id };
    await t.rejects(b.banking.closeAccount.execute(query), { code: 'balance_not_zero', name: 'BalanceNotZero', message: /10\.5 HTG/ });
    t.equal(b.state().accounts.get(account.id)?.status, 'ACTIVE');
    await b.banking.postTransaction.execute({ ...query, type: 'RETRAIT', amount: '10.50' });
    await b.banking.closeAccount.execute(query);
    const history = await b.banking.listTransactions.execute(query);
    t.same(history.items.map((e) => e.type), ['RETRAIT', 'DEPOT']);
  });

  t.test("another user's, unknown and malformed ids are not_found", async (t) => {
    const b = bank();
    const alice = await b.customer();
    const bob = await b.customer();
    const account = await alice.account();
    for (const action of ['freezeAccount', 'unfreezeAccount', 'closeAccount'] as const) {
      for (const query of [
        { userId: bob.id, accountId: account.id },
        { userId: alice.id, accountId: UNKNOWN_ID },
        { userId: alice.id, accountId: NOT_A_UUID },
      ]) {
        await t.rejects(b.banking[action].execute(query), { code: 'not_found' }, `${action} ${query.accountId}`);
      }
    }
    t.match(b.state().accounts.get(account.id), { status: 'ACTIVE', version: 1 });
  });
});

t.test('postTransaction', async (t) => {
  t.test('a deposit credits, a withdrawal debits, each with its ledger line', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const account = await alice.account();
    const query = { userId: alice.id, accountId: account.id };
    const deposit = await b.banking.postTransaction.execute({ ...query, type: 'DEPOT', amount: 1000, description: 'Salaire' });
    t.equal(deposit.replayed, false);
    t.match(deposit.value, {
      accountId: account.id,
      sequence: 2,
      type: 'DEPOT',
      direction: 'CREDIT',
      amount: 100000,
      currency: 'HTG',
      balanceAfter: 100000,
      description: 'Salaire',
      transferId: null,
      counterpartyAccountNumber: null,
      createdAt: b.clock.now().toISOString(),
    });
    t.match(deposit.value.id, /^[0-9a-f-]{36}$/);
    b.clock.advance(MINUTE);
    const withdrawal = await b.banking.postTransaction.execute({ ...query, type: 'RETRAIT', amount: '19.99', description: '' });
    t.match(withdrawal.value, { sequence: 3, type: 'RETRAIT', direction: 'DEBIT', amount: 1999, balanceAfter: 98001, description: null });
    t.match(b.state().accounts.get(account.id), { balance: 98001, version: 3, updatedAt: b.clock.now().toISOString() });
    t.same(b.state().ledger, [deposit.value, withdrawal.value]);

    const jpy = await alice.account({ currency: 'JPY' });
    const yen = await b.banking.postTransaction.execute({ userId: alice.id, accountId: jpy.id, type: 'DEPOT', amount: 500 });
    t.match(yen.value, { amount: 500, currency: 'JPY', balanceAfter: 500 });

    const all = await b.banking.postTransaction.execute({ ...query, type: 'RETRAIT', amount: 980.01 });
    t.equal(all.value.balanceAfter, 0, 'withdrawing the whole balance is allowed');
  });

  t.test('insufficient_funds states the available balance and moves nothing', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const account = await alice.account({ deposit: '10.5' });
    const before = footprint(b.state());
    const error = await b.banking.postTransaction
      .execute({ userId: alice.id, accountId: account.id, type: 'RETRAIT', amount: '10.51' })
      .catch((e: unknown) => e);
    t.match(error, { code: 'insufficient_funds', name: 'InsufficientFunds', available: '10.5', currency: 'HTG' });
    t.match((error as Error).message, /available balance is 10\.5 HTG/);
    t.same(footprint(b.state()), before);
    const empty = await alice.account();
    await t.rejects(b.banking.postTransaction.execute({ userId: alice.id, accountId: empty.id, type: 'RETRAIT', amount: 0.01 }), {
      code: 'insufficient_funds',
      message: /available balance is 0 HTG/,
    });
  });

  t.test('frozen and closed accounts refuse deposits and withdrawals', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const frozen = await alice.account({ deposit: 100 });
    const closed = await alice.account();
    await b.banking.freezeAccount.execute({ userId: alice.id, accountId: frozen.id });
    await b.banking.closeAccount.execute({ userId: alice.id, accountId: closed.id });
    const before = footprint(b.state());
    for (const type of ['DEPOT', 'RETRAIT']) {
      await t.rejects(b.banking.postTransaction.execute({ userId: alice.id, accountId: frozen.id, type, amount: 1 }), {
        code: 'account_frozen',
        name: 'AccountFrozen',
        message: new RegExp(frozen.number),
      });
      await t.rejects(b.banking.postTransaction.execute({ userId: alice.id, accountId: closed.id, type, amount: 1 }), {
        code: 'account_closed',
        name: 'AccountClosed',
      });
    }
    t.same(footprint(b.state()), before);
    await b.banking.unfreezeAccount.execute({ userId: alice.id, accountId: frozen.id });
    await t.resolves(b.banking.postTransaction.execute({ userId: alice.id, accountId: frozen.id, type: 'RETRAIT', amount: 1 }));
  });

  t.test('validation: type, amount, description; not_found for ids', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const bob = await b.customer();
    const account = await alice.account({ deposit: 100 });
    const post = (change: Record<string, unknown>) =>
      b.banking.postTransaction.execute({ userId: alice.id, accountId: account.id, type: 'DEPOT', amount: 1, ...change });
    const before = footprint(b.state());
    for (const type of ['VIREMENT', 'deposit', '', 'depot']) {
      await t.rejects(post({ type }), { code: 'validation_failed', errors: [{ field: 'type' }] }, `type ${type}`);
    }
    for (const amount of [0, -5, '1.001', 'abc', null, 1e10, NaN]) {
      await t.rejects(post({ amount }), { code: 'validation_failed', errors: [{ field: 'amount' }] }, `amount ${String(amount)}`);
    }
    await t.rejects(post({ description: 'x'.repeat(256) }), { code: 'validation_failed', errors: [{ field: 'description' }] });
    await t.rejects(post({ description: 'line\nbreak' }), { code: 'validation_failed', errors: [{ field: 'description' }] });
    await t.rejects(post({ description: 'half \ud83d' }), { code: 'validation_failed', errors: [{ field: 'description' }] }, 'a lone surrogate');
    await t.resolves(post({ description: 'é'.repeat(255) }), '255 characters is the limit');
    await t.resolves(post({ description: '🙂'.repeat(255) }), 'counted in characters, not UTF-16 units');
    t.equal(footprint(b.state()).ledger, before.ledger + 2);
    for (const [userId, accountId] of [
      [bob.id, account.id],
      [alice.id, UNKNOWN_ID],
      [alice.id, NOT_A_UUID],
    ]) {
      for (const type of ['DEPOT', 'RETRAIT']) {
        await t.rejects(b.banking.postTransaction.execute({ userId: userId!, accountId: accountId!, type, amount: 1 }), {
          code: 'not_found',
          name: 'AccountNotFound',
        });
      }
    }
  });

  t.test('balance_limit_exceeded when a credit would pass the largest exact balance', async (t) => {
    const b = bank({ policy: { maxAmount: 90071992547409 } });
    const alice = await b.customer();
    const account = await alice.account({ deposit: 90071992547409 });
    const post = (amount: string) => b.banking.postTransaction.execute({ userId: alice.id, accountId: account.id, type: 'DEPOT', amount });
    const before = footprint(b.state());
    await t.rejects(post('0.92'), { code: 'balance_limit_exceeded', name: 'BalanceLimitExceeded' });
    t.same(footprint(b.state()), before);
    const top = await post('0.91');
    t.equal(top.value.balanceAfter, Number.MAX_SAFE_INTEGER);
    await t.rejects(post('0.01'), { code: 'balance_limit_exceeded' });
  });
});

t.test('listTransactions', async (t) => {
  t.test('newest first, filtered by type and dates, paginated', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const bob = await b.customer();
    const account = await alice.account();
    const other = await bob.account();
    const query = { userId: alice.id, accountId: account.id };
    const lines = [];
    // 2026-01-01T00:00Z, then one movement a day at 10:00.
    b.clock.set(new Date('2026-01-01T10:00:00Z'));
    for (let day = 0; day < 6; day++) {
      const type = day % 3 === 2 ? 'RETRAIT' : 'DEPOT';
      lines.push((await b.banking.postTransaction.execute({ ...query, type, amount: 10 + day })).value);
      b.clock.advance(24 * 60 * MINUTE);
    }
    const transfer = await b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: account.id, toAccountNumber: other.number, amount: 1 });
    const list = (change: Record<string, unknown> = {}) => b.banking.listTransactions.execute({ ...query, ...change });

    const all = await list();
    t.match(all, { total: 7, page: 1, pageSize: 20, totalPages: 1 });
    t.same(all.items.map((e) => e.sequence), [8, 7, 6, 5, 4, 3, 2], 'newest first');
    t.match(all.items[0], { type: 'VIREMENT', direction: 'DEBIT', transferId: transfer.value.id, counterpartyAccountNumber: other.number });

    const page = await list({ page: 2, pageSize: 3 });
    t.match(page, { total: 7, page: 2, pageSize: 3, totalPages: 3 });
    t.same(page.items.map((e) => e.sequence), [5, 4, 3]);
    t.same((await list({ page: 3, pageSize: 3 })).items.map((e) => e.sequence), [2]);
    t.same((await list({ page: 9 })).items, []);

    t.same((await list({ type: 'RETRAIT' })).items.map((e) => e.id), [lines[5]!.id, lines[2]!.id]);
    t.same((await list({ type: 'DEPOT' })).total, 4);
    t.same((await list({ type: 'VIREMENT' })).items.map((e) => e.transferId), [transfer.value.id]);

    // Dates: bounds are inclusive; a date alone stands for its whole UTC day.
    t.same((await list({ from: '2026-01-03', to: '2026-01-05' })).items.map((e) => e.createdAt), [
      '2026-01-05T10:00:00.000Z',
      '2026-01-04T10:00:00.000Z',
      '2026-01-03T10:00:00.000Z',
    ]);
    t.same((await list({ from: '2026-01-03T10:00:00Z', to: '2026-01-04T10:00:00.000Z' })).total, 2, 'inclusive to the millisecond');
    t.same((await list({ from: '2026-01-03T10:00:00.001Z', to: '2026-01-04T09:59:59.999Z' })).total, 0);
    t.same((await list({ from: '2026-01-04T12:00:00+02:00' })).total, 4, 'offsets are honoured (10:00Z counts)');
    t.same((await list({ to: '2026-01-02' })).total, 2, 'a date alone as to_date includes that whole day');
    t.same((await list({ from: '2026-01-05', type: 'DEPOT', pageSize: 1 })).items.map((e) => e.id), [lines[4]!.id]);
    t.same((await list({ from: '2026-01-06', to: '2026-01-06' })).items.map((e) => e.id), [lines[5]!.id], 'from = to is that day');

    await t.rejects(b.banking.listTransactions.execute({ userId: bob.id, accountId: account.id }), { code: 'not_found' });
    await t.rejects(b.banking.listTransactions.execute({ userId: alice.id, accountId: UNKNOWN_ID }), { code: 'not_found' });
    await t.rejects(b.banking.listTransactions.execute({ userId: alice.id, accountId: NOT_A_UUID }), { code: 'not_found' });
  });

  t.test('a date-time without an offset is UTC, whatever the server’s time zone', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const account = await alice.account();
    b.clock.set(new Date('2026-01-01T10:00:00Z'));
    await b.banking.postTransaction.execute({ userId: alice.id, accountId: account.id, type: 'DEPOT', amount: 1 });
    const saved = process.env.TZ;
    process.env.TZ = 'America/Port-au-Prince';
    t.teardown(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });
    const list = (from: string, to: string) => b.banking.listTransactions.execute({ userId: alice.id, accountId: account.id, from, to });
    t.equal((await list('2026-01-01T10:00', '2026-01-01T10:00')).total, 1, '10:00 means 10:00Z');
    t.equal((await list('2026-01-01 09:00:00', '2026-01-01 11:00:00')).total, 1);
    t.equal((await list('2026-01-01T05:00:00', '2026-01-01T06:00:00')).total, 0, '10:00Z is not 05:00 local');
  });

  t.test('validation of filters and pagination', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const account = await alice.account();
    const list = (change: Record<string, unknown>) => b.banking.listTransactions.execute({ userId: alice.id, accountId: account.id, ...change });
    for (const [query, field] of [
      [{ type: 'TRANSFER' }, 'type'],
      [{ from: 'yesterday' }, 'from_date'],
      [{ from: '2026-13-01' }, 'from_date'],
      [{ from: '2026-02-30' }, 'from_date'],
      [{ to: '2026-04-31T00:00:00Z' }, 'to_date'],
      [{ to: '2026-01-01T25:00:00Z' }, 'to_date'],
      [{ to: '2026-1-1' }, 'to_date'],
      [{ to: '1767225600000' }, 'to_date'],
      [{ to: '' }, 'to_date'],
      [{ from: '2026-01-02', to: '2026-01-01' }, 'from_date'],
      [{ from: '2026-01-02T00:00:00.000Z', to: '2026-01-01' }, 'from_date'],
      // Outside years 0001-9999 once the offset is applied (PostgreSQL refuses those instants).
      [{ from: '0000-01-01' }, 'from_date'],
      [{ to: '0000-06-01' }, 'to_date'],
      [{ from: '0000-12-31T23:59:59.999Z' }, 'from_date'],
      [{ from: '0001-01-01T00:00+01:00' }, 'from_date'],
      [{ to: '9999-12-31T23:59:59-14:00' }, 'to_date'],
      [{ to: '9999-12-31T23:59:59.999-00:01' }, 'to_date'],
      [{ page: 0 }, 'page'],
      [{ pageSize: 101 }, 'page_size'],
      [{ pageSize: 0 }, 'page_size'],
    ] as const) {
      await t.rejects(list(query), { code: 'validation_failed', errors: [{ field }] }, JSON.stringify(query));
    }
    await t.resolves(list({ from: '2024-02-29', to: '2026-12-31T23:59:59.999+00:00' }), 'a leap day is a date');
    for (const [from, to] of [
      ['0001-01-01T00:00Z', '9999-12-31T23:59:59.999Z'],
      ['0001-01-01', '9999-12-31'],
      ['0001-01-01T01:00+01:00', '9999-12-31T23:59:59.9999999Z'],
      ['0001-01-01T00:00:00.000Z', '9999-12-31T09:59:59.999-14:00'],
    ] as const) {
      await t.resolves(list({ from, to }), `${from} to ${to}: the first and last instants of years 0001-9999`);
    }
    const both = await list({ from: 'x', to: 'y', type: 'z' }).catch((e: unknown) => e);
    t.match(both, { errors: [{ field: 'type' }, { field: 'from_date' }, { field: 'to_date' }] });
  });
});

t.test('cached reads see every write that came before them', async (t) => {
  const b = bank();
  const alice = await b.customer();
  const bob = await b.customer();
  const account = await alice.account();
  const query = { userId: alice.id, accountId: account.id };
  const bobAccount = await bob.account();
  const bobQuery = { userId: bob.id, accountId: bobAccount.id };

  // Warm the cache, write, read again.
  t.equal((await b.banking.getBalance.execute(query)).balance, 0);
  t.equal((await b.banking.getBalance.execute(query)).balance, 0, 'served from the cache');
  await b.banking.postTransaction.execute({ ...query, type: 'DEPOT', amount: 1000 });
  t.equal((await b.banking.getBalance.execute(query)).balance, 100000, 'balance after a deposit');
  await b.banking.postTransaction.execute({ ...query, type: 'RETRAIT', amount: 1 });
  t.equal((await b.banking.getAccount.execute(query)).balance, 99900, 'balance after a withdrawal');

  t.equal((await b.banking.getBalance.execute(bobQuery)).balance, 0);
  await b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: account.id, toAccountNumber: bobAccount.number, amount: 5 });
  t.equal((await b.banking.getBalance.execute(query)).balance, 99400, 'the source after a transfer');
  t.equal((await b.banking.getBalance.execute(bobQuery)).balance, 500, "the other owner's destination after a transfer");

  t.equal((await b.banking.getAccount.execute(query)).status, 'ACTIVE');
  await b.banking.freezeAccount.execute(query);
  t.equal((await b.banking.getAccount.execute(query)).status, 'FROZEN', 'status after freeze');
  await b.banking.unfreezeAccount.execute(query);
  t.equal((await b.banking.getAccount.execute(query)).status, 'ACTIVE', 'status after unfreeze');

  t.equal((await b.banking.listAccounts.execute({ userId: alice.id })).total, 1);
  const second = await alice.account();
  const after = await b.banking.listAccounts.execute({ userId: alice.id });
  t.equal(after.total, 2, 'list after open');
  t.ok(after.items.some((a) => a.id === second.id));
  await b.banking.closeAccount.execute({ userId: alice.id, accountId: second.id });
  t.equal((await b.banking.listAccounts.execute({ userId: alice.id, status: 'CLOSED' })).total, 1, 'list after close');
  t.equal((await b.banking.getAccount.execute({ userId: alice.id, accountId: second.id })).status, 'CLOSED');
});
