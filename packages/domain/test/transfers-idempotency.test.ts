import t from 'tap';
import { ReplayedRefusal, type IdempotencyRepository, type UnitOfWork } from '@banking/domain';
import { bank, footprint, NOT_A_UUID, UNKNOWN_ID } from './support/bank.js';

const HOUR = 60 * 60 * 1000;

t.test('transferMoney', async (t) => {
  t.test('moves money in one unit: both balances, two ledger lines, one transfer record', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const bob = await b.customer();
    const from = await alice.account({ deposit: 1000 });
    const to = await bob.account({ deposit: '0.5' });
    b.clock.advance(HOUR);
    const now = b.clock.now().toISOString();
    const result = await b.banking.transferMoney.execute({
      userId: alice.id,
      fromAccountId: from.id,
      toAccountNumber: to.number,
      amount: '250.25',
      description: 'Loyer',
    });
    t.equal(result.replayed, false);
    const transfer = result.value;
    t.match(transfer, {
      fromAccountId: from.id,
      toAccountId: to.id,
      fromAccountNumber: from.number,
      toAccountNumber: to.number,
      amount: 25025,
      currency: 'HTG',
      description: 'Loyer',
      fromBalanceAfter: 74975,
      createdAt: now,
    });
    t.same(b.state().transfers.get(transfer.id), transfer);
    t.match(b.state().accounts.get(from.id), { balance: 74975, version: from.version + 1, updatedAt: now });
    t.match(b.state().accounts.get(to.id), { balance: 25075, version: to.version + 1, updatedAt: now });
    const lines = b.state().ledger.filter((e) => e.transferId === transfer.id);
    t.match(lines, [
      { accountId: from.id, sequence: from.version + 1, type: 'VIREMENT', direction: 'DEBIT', amount: 25025, balanceAfter: 74975, counterpartyAccountNumber: to.number, description: 'Loyer', createdAt: now },
      { accountId: to.id, sequence: to.version + 1, type: 'VIREMENT', direction: 'CREDIT', amount: 25025, balanceAfter: 25075, counterpartyAccountNumber: from.number, description: 'Loyer', createdAt: now },
    ]);
    t.equal(lines.length, 2);
    const bobsView = await b.banking.listTransactions.execute({ userId: bob.id, accountId: to.id });
    t.match(bobsView.items[0], { type: 'VIREMENT', direction: 'CREDIT', transferId: transfer.id });

    const own = await alice.account();
    const between = await b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: from.id, toAccountNumber: own.number, amount: 749.75 });
    t.match(between.value, { fromBalanceAfter: 0, description: null }, 'between one’s own accounts, the whole balance');
    t.equal(b.state().accounts.get(own.id)?.balance, 74975);
  });

  t.test('not_found: a source that is not the caller’s, unknown ids and numbers', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const bob = await b.customer();
    const mine = await alice.account({ deposit: 10 });
    const bobs = await bob.account({ deposit: 10 });
    const before = footprint(b.state());
    for (const [label, fromAccountId, toAccountNumber] of [
      ["from another user's account", bobs.id, mine.number],
      ['from an unknown id', UNKNOWN_ID, bobs.number],
      ['from a non-UUID id', NOT_A_UUID, bobs.number],
      ['to an unknown number', mine.id, '000000000000'],
      ['to a malformed number', mine.id, 'abc'],
      ['to an id instead of a number', mine.id, bobs.id],
    ] as const) {
      await t.rejects(
        b.banking.transferMoney.execute({ userId: alice.id, fromAccountId, toAccountNumber, amount: 1 }),
        { code: 'not_found', name: 'AccountNotFound' },
        label,
      );
    }
    t.same(footprint(b.state()), before);
  });

  t.test('business refusals: same account, frozen or closed on either side, currency, funds, limit', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const bob = await b.customer();
    const from = await alice.account({ deposit: 100 });
    const to = await bob.account();
    const frozenFrom = await alice.account({ deposit: 100 });
    const closedTo = await bob.account();
    const frozenTo = await bob.account();
    const usd = await bob.account({ currency: 'USD' });
    await b.banking.freezeAccount.execute({ userId: alice.id, accountId: frozenFrom.id });
    await b.banking.freezeAccount.execute({ userId: bob.id, accountId: frozenTo.id });
    await b.banking.closeAccount.execute({ userId: bob.id, accountId: closedTo.id });
    const transfer = (fromAccountId: string, toAccountNumber: string, amount: unknown = 1, description?: string) =>
      b.banking.transferMoney.execute({ userId: alice.id, fromAccountId, toAccountNumber, amount, description });
    const before = footprint(b.state());

    await t.rejects(transfer(from.id, from.number), { code: 'same_account', name: 'SameAccountTransfer' });
    await t.rejects(transfer(frozenFrom.id, to.number), { code: 'account_frozen', message: new RegExp(frozenFrom.number) }, 'frozen source');
    await t.rejects(transfer(from.id, frozenTo.number), { code: 'account_frozen', message: new RegExp(frozenTo.number) }, 'frozen destination');
    await t.rejects(transfer(from.id, closedTo.number), { code: 'account_closed', name: 'AccountClosed' }, 'closed destination');
    await t.rejects(transfer(from.id, usd.number), { code: 'currency_mismatch', name: 'CurrencyMismatch', message: /HTG.*USD/ });
    const poor = await transfer(from.id, to.number, '100.01').catch((e: unknown) => e);
    t.match(poor, { code: 'insufficient_funds', available: '100', currency: 'HTG', message: /available balance is 100 HTG/ });
    for (const amount of [0, -1, '1.001', 'ten', null, 1e10]) {
      await t.rejects(transfer(from.id, to.number, amount), { code: 'validation_failed', errors: [{ field: 'amount' }] }, `amount ${String(amount)}`);
    }
    await t.rejects(transfer(from.id, to.number, 1, 'x'.repeat(256)), { code: 'validation_failed', errors: [{ field: 'description' }] });
    t.same(footprint(b.state()), before, 'no refusal moved anything');

    // A source emptied and closed is refused as closed.
    const emptied = await alice.account();
    await b.banking.closeAccount.execute({ userId: alice.id, accountId: emptied.id });
    await t.rejects(transfer(emptied.id, to.number), { code: 'account_closed', message: new RegExp(emptied.number) }, 'closed source');
  });

  t.test('JPY moves in whole yen', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const from = await alice.account({ currency: 'JPY', deposit: 1000 });
    const to = await alice.account({ currency: 'JPY' });
    await t.rejects(b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: from.id, toAccountNumber: to.number, amount: 1.5 }), {
      code: 'validation_failed',
    });
    const ok = await b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: from.id, toAccountNumber: to.number, amount: '999' });
    t.match(ok.value, { amount: 999, currency: 'JPY', fromBalanceAfter: 1 });
  });

  t.test('balance_limit_exceeded on the destination moves nothing', async (t) => {
    const b = bank({ policy: { maxAmount: 90071992547409 } });
    const alice = await b.customer();
    const from = await alice.account({ deposit: 1 });
    const full = await alice.account({ deposit: 90071992547409 });
    const before = footprint(b.state());
    await t.rejects(b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: from.id, toAccountNumber: full.number, amount: '0.92' }), {
      code: 'balance_limit_exceeded',
    });
    t.same(footprint(b.state()), before);
    const ok = await b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: from.id, toAccountNumber: full.number, amount: '0.91' });
    t.equal(ok.value.fromBalanceAfter, 9);
    t.equal(b.state().accounts.get(full.id)?.balance, Number.MAX_SAFE_INTEGER);
  });
});

t.test('getTransfer: visible to both parties, to nobody else', async (t) => {
  const b = bank();
  const alice = await b.customer();
  const bob = await b.customer();
  const carol = await b.customer();
  const from = await alice.account({ deposit: 10 });
  const to = await bob.account();
  const { value: transfer } = await b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: from.id, toAccountNumber: to.number, amount: 3 });
  t.same(await b.banking.getTransfer.execute({ userId: alice.id, transferId: transfer.id }), { transfer, callerOwnsSource: true });
  t.same(await b.banking.getTransfer.execute({ userId: bob.id, transferId: transfer.id }), { transfer, callerOwnsSource: false });
  for (const [userId, transferId] of [
    [carol.id, transfer.id],
    [alice.id, UNKNOWN_ID],
    [alice.id, NOT_A_UUID],
    [alice.id, from.id],
  ] as const) {
    await t.rejects(b.banking.getTransfer.execute({ userId, transferId }), { code: 'not_found', name: 'TransferNotFound' });
  }
  // The source owner sees it even after closing the account.
  await b.banking.postTransaction.execute({ userId: alice.id, accountId: from.id, type: 'RETRAIT', amount: 7 });
  await b.banking.closeAccount.execute({ userId: alice.id, accountId: from.id });
  t.match(await b.banking.getTransfer.execute({ userId: alice.id, transferId: transfer.id }), { callerOwnsSource: true });
});

t.test('idempotency keys', async (t) => {
  t.test('a retry with the same key and body replays the result and moves nothing', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const bob = await b.customer();
    const account = await alice.account({ deposit: 100 });
    const target = await bob.account();
    const q = { userId: alice.id, accountId: account.id };

    const calls = {
      deposit: () => b.banking.postTransaction.execute({ ...q, type: 'DEPOT', amount: 10, idempotencyKey: 'dep-1' }),
      withdraw: () => b.banking.postTransaction.execute({ ...q, type: 'RETRAIT', amount: '5.5', description: 'ATM', idempotencyKey: 'wd-1' }),
      transfer: () =>
        b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: account.id, toAccountNumber: target.number, amount: 7, idempotencyKey: 'tr-1' }),
    };
    for (const [name, call] of Object.entries(calls)) {
      const first = await call();
      t.equal(first.replayed, false, `${name}: first call`);
      const before = footprint(b.state());
      b.clock.advance(HOUR);
      const again = await call();
      t.equal(again.replayed, true, `${name}: replayed`);
      t.same(again.value, first.value, `${name}: the same value`);
      t.same(footprint(b.state()), before, `${name}: nothing moved again`);
    }
    t.equal(b.state().accounts.get(account.id)?.balance, 10000 + 1000 - 550 - 700);
    const sameValue = await b.banking.postTransaction.execute({ ...q, type: 'DEPOT', amount: '10', idempotencyKey: 'dep-1' });
    t.equal(sameValue.replayed, true, 'the amount 10 as a string is the same request');

    // The replay does not depend on the account's present state.
    await b.banking.freezeAccount.execute(q);
    t.equal((await calls.withdraw()).replayed, true, 'replayed even though the account is now frozen');
  });

  t.test('without a key every call is a new operation', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const account = await alice.account();
    const deposit = () => b.banking.postTransaction.execute({ userId: alice.id, accountId: account.id, type: 'DEPOT', amount: 1 });
    t.equal((await deposit()).replayed, false);
    t.equal((await deposit()).replayed, false);
    t.equal(b.state().accounts.get(account.id)?.balance, 200);
  });

  t.test('the same key with a different request is idempotency_key_reused', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const bob = await b.customer();
    const account = await alice.account({ deposit: 100 });
    const other = await alice.account({ deposit: 100 });
    const target = await bob.account();
    const q = { userId: alice.id, accountId: account.id };
    const first = await b.banking.postTransaction.execute({ ...q, type: 'DEPOT', amount: 10, idempotencyKey: 'k' });
    const before = footprint(b.state());
    const attempts: [string, () => Promise<unknown>][] = [
      ['another amount', () => b.banking.postTransaction.execute({ ...q, type: 'DEPOT', amount: 11, idempotencyKey: 'k' })],
      ['another type', () => b.banking.postTransaction.execute({ ...q, type: 'RETRAIT', amount: 10, idempotencyKey: 'k' })],
      ['another account', () => b.banking.postTransaction.execute({ ...q, accountId: other.id, type: 'DEPOT', amount: 10, idempotencyKey: 'k' })],
      ['another description', () => b.banking.postTransaction.execute({ ...q, type: 'DEPOT', amount: 10, description: 'x', idempotencyKey: 'k' })],
      ['another operation', () => b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: account.id, toAccountNumber: target.number, amount: 10, idempotencyKey: 'k' })],
    ];
    for (const [label, call] of attempts) {
      await t.rejects(call(), { code: 'idempotency_key_reused', name: 'IdempotencyKeyReused' }, label);
    }
    t.same(footprint(b.state()), before, 'nothing moved');
    const again = await b.banking.postTransaction.execute({ ...q, type: 'DEPOT', amount: 10, idempotencyKey: 'k' });
    t.same(again, { value: first.value, replayed: true }, 'the original request still replays');

    // Keys belong to a user: Bob's 'k' is his own.
    const bobs = await b.banking.postTransaction.execute({ userId: bob.id, accountId: target.id, type: 'DEPOT', amount: 10, idempotencyKey: 'k' });
    t.equal(bobs.replayed, false);
    t.equal(b.state().accounts.get(target.id)?.balance, 1000);
  });

  t.test('a refusal is recorded and replayed with its original code', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const account = await alice.account({ deposit: '10.5' });
    const q = { userId: alice.id, accountId: account.id };
    const withdraw = () => b.banking.postTransaction.execute({ ...q, type: 'RETRAIT', amount: 11, idempotencyKey: 'w' });
    const first = await withdraw().catch((e: unknown) => e);
    t.match(first, { name: 'InsufficientFunds', code: 'insufficient_funds' }, 'the first call gets the real error');
    await b.banking.postTransaction.execute({ ...q, type: 'DEPOT', amount: 100 });
    const before = footprint(b.state());
    const replayed = await withdraw().catch((e: unknown) => e);
    t.type(replayed, ReplayedRefusal);
    t.match(replayed, { name: 'ReplayedRefusal', code: 'insufficient_funds', message: (first as Error).message, errors: [] });
    t.same(footprint(b.state()), before, 'the replay moves nothing, though the funds are there now');

    const invalid = () => b.banking.postTransaction.execute({ ...q, type: 'DEPOT', amount: '1.001', idempotencyKey: 'v' });
    await t.rejects(invalid(), { name: 'ValidationFailed', code: 'validation_failed' });
    await t.rejects(invalid(), { name: 'ReplayedRefusal', code: 'validation_failed', errors: [{ field: 'amount' }] });

    const lost = () => b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: account.id, toAccountNumber: '000000000000', amount: 1, idempotencyKey: 't' });
    await t.rejects(lost(), { name: 'AccountNotFound', code: 'not_found' });
    await t.rejects(lost(), { name: 'ReplayedRefusal', code: 'not_found' });
    await t.rejects(
      b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: account.id, toAccountNumber: '000000000000', amount: 2, idempotencyKey: 't' }),
      { code: 'idempotency_key_reused' },
      'a recorded refusal still guards its key',
    );
  });

  t.test('records are kept 24 hours; then the key works anew', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const account = await alice.account();
    const deposit = () => b.banking.postTransaction.execute({ userId: alice.id, accountId: account.id, type: 'DEPOT', amount: 1, idempotencyKey: 'daily' });
    const first = await deposit();
    b.clock.advance(24 * HOUR - 1);
    t.same(await deposit(), { value: first.value, replayed: true }, 'replayed 1 ms before 24 h');
    b.clock.advance(1);
    const renewed = await deposit();
    t.equal(renewed.replayed, false, 'a new operation at 24 h');
    t.not(renewed.value.id, first.value.id);
    t.equal(b.state().accounts.get(account.id)?.balance, 200);
    t.same(await deposit(), { value: renewed.value, replayed: true }, 'the key now stands for the new operation');
  });

  t.test('sweepIdempotencyRecords deletes a record once it has expired and is as old as the retention', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const account = await alice.account();
    const deposit = () => b.banking.postTransaction.execute({ userId: alice.id, accountId: account.id, type: 'DEPOT', amount: 1, idempotencyKey: 'swept' });
    const first = await deposit();
    b.clock.advance(24 * HOUR - 1);
    t.same(await b.banking.sweepIdempotencyRecords.execute(), { deleted: 0, complete: true }, '1 ms short of 24 h: kept');
    t.equal(b.state().idempotency.size, 1);
    b.clock.advance(1);
    t.same(await b.banking.sweepIdempotencyRecords.execute(), { deleted: 1, complete: true }, 'at 24 h: deleted');
    t.equal(b.state().idempotency.size, 0);
    const renewed = await deposit();
    t.equal(renewed.replayed, false, 'the key is a new operation');
    t.not(renewed.value.id, first.value.id);
    t.same(await deposit(), { value: renewed.value, replayed: true }, 'and is recorded again');
  });

  t.test('sweepIdempotencyRecords follows a longer retention, works in batches, and stops when asked', async (t) => {
    const b = bank({ policy: { idempotencyTtlSeconds: 48 * 3600 } });
    const alice = await b.customer();
    const account = await alice.account();
    for (let i = 0; i < 7; i++) {
      await b.banking.postTransaction.execute({ userId: alice.id, accountId: account.id, type: 'DEPOT', amount: 1, idempotencyKey: `k${i}` });
    }
    b.clock.advance(47 * HOUR);
    t.same(await b.banking.sweepIdempotencyRecords.execute({ batchSize: 2 }), { deleted: 0, complete: true }, 'kept for the 48 h retention');
    b.clock.advance(HOUR);
    t.same(await b.banking.sweepIdempotencyRecords.execute({ batchSize: 2, maxBatches: 2 }), { deleted: 4, complete: false }, 'two batches of 2, more left');
    t.same(await b.banking.sweepIdempotencyRecords.execute({ batchSize: 2, signal: { aborted: true } }), { deleted: 0, complete: false }, 'aborted: nothing done');
    t.same(await b.banking.sweepIdempotencyRecords.execute({ batchSize: 2 }), { deleted: 3, complete: true }, 'the rest, the last batch short');
    t.equal(b.state().idempotency.size, 0);
  });

  t.test('sweepIdempotencyRecords refuses a retention under 24 h and a batch size under 1', async (t) => {
    const short = bank({ policy: { idempotencyTtlSeconds: 24 * 3600 - 1 } });
    await t.rejects(short.banking.sweepIdempotencyRecords.execute(), RangeError);
    await t.rejects(bank().banking.sweepIdempotencyRecords.execute({ batchSize: 0 }), RangeError);
  });

  t.test('keys are 1 to 255 visible ASCII characters', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const account = await alice.account();
    const deposit = (idempotencyKey: string) =>
      b.banking.postTransaction.execute({ userId: alice.id, accountId: account.id, type: 'DEPOT', amount: 1, idempotencyKey });
    for (const key of ['', ' ', 'with space', 'é', 'x'.repeat(256), 'tab\t']) {
      await t.rejects(deposit(key), { code: 'validation_failed', errors: [{ field: 'Idempotency-Key' }] }, JSON.stringify(key.slice(0, 10)));
    }
    await t.resolves(deposit('x'.repeat(255)));
    await t.resolves(deposit('!~'));
    t.equal(b.state().accounts.get(account.id)?.balance, 200);
  });

  t.test('a key claimed by a call still running is idempotency_in_progress', async (t) => {
    const real = bank();
    // A unit of work whose idempotency store reports the key as held by another transaction.
    const busy: UnitOfWork = {
      run: (work) =>
        real.deps.uow.run((tx) => {
          const idempotency: IdempotencyRepository = {
            claim: () => Promise.resolve(false),
            find: (...args) => tx.idempotency.find(...args),
            deleteExpired: (...args) => tx.idempotency.deleteExpired(...args),
          };
          return work({ ...tx, idempotency });
        }),
      read: (work) => real.deps.uow.read(work),
      subscribe: (subscriber) => real.deps.uow.subscribe(subscriber),
    };
    const b = bank({ uow: busy });
    const alice = await real.customer();
    const account = await alice.account({ deposit: 5 });
    const before = footprint(real.state());
    await t.rejects(
      b.banking.postTransaction.execute({ userId: alice.id, accountId: account.id, type: 'RETRAIT', amount: 1, idempotencyKey: 'k' }),
      { code: 'idempotency_in_progress', name: 'IdempotencyInProgress' },
    );
    await t.rejects(
      b.banking.transferMoney.execute({ userId: alice.id, fromAccountId: account.id, toAccountNumber: account.number, amount: 1, idempotencyKey: 'k' }),
      { code: 'idempotency_in_progress' },
    );
    t.same(footprint(real.state()), before);
    t.equal(real.state().idempotency.size, 0, 'nothing recorded');
    await t.resolves(
      b.banking.postTransaction.execute({ userId: alice.id, accountId: account.id, type: 'RETRAIT', amount: 1 }),
      'without a key nothing is claimed',
    );
  });
});
