import { randomUUID } from 'node:crypto';
import { accountEvent, InsufficientFunds, transactionPosted, type DomainEvent, type Movement, type TransactionContext } from '@banking/domain';
import type { Test } from 'tap';
import { aLedgerEntry, aRefreshToken, aSession, aTransfer, anAccount, anIdempotencyRecord, aUser } from '../../builders.js';
import { delay, settle, TIMED_OUT, using, within } from '../support.js';
import { givenAccount, givenUser, recorded, type OpenStore } from './store-harness.js';

/** One of everything a unit of work can write: a user, two accounts, a transfer and its ledger lines, a record, events, a login. */
function aWorld() {
  const user = aUser();
  const from = anAccount({ ownerId: user.id, balance: 700, version: 2 });
  const to = anAccount({ ownerId: user.id, type: 'EPARGNE', balance: 300, version: 1 });
  const transfer = aTransfer({
    fromAccountId: from.id,
    toAccountId: to.id,
    fromAccountNumber: from.number,
    toAccountNumber: to.number,
    amount: 300,
    fromBalanceAfter: 700,
  });
  const opening = aLedgerEntry({ accountId: from.id, sequence: 1, amount: 1000, balanceAfter: 1000 });
  const debit = aLedgerEntry({
    accountId: from.id,
    sequence: 2,
    type: 'VIREMENT',
    direction: 'DEBIT',
    amount: 300,
    balanceAfter: 700,
    transferId: transfer.id,
    counterpartyAccountNumber: to.number,
  });
  const credit = aLedgerEntry({
    accountId: to.id,
    sequence: 1,
    type: 'VIREMENT',
    direction: 'CREDIT',
    amount: 300,
    balanceAfter: 300,
    transferId: transfer.id,
    counterpartyAccountNumber: from.number,
  });
  const lines = [opening, debit, credit];
  const events: DomainEvent[] = [
    transactionPosted(randomUUID(), debit, user.id),
    accountEvent(randomUUID(), 'bank.account.opened', { ...to, version: 3 }),
  ];
  const record = anIdempotencyRecord({ userId: user.id });
  const session = aSession({ userId: user.id });
  const token = aRefreshToken({ sessionId: session.id });
  return { user, from, to, transfer, lines, events, record, session, token };
}

type World = ReturnType<typeof aWorld>;

/** The world's direct writes (user, login), then its movement. */
async function write(tx: TransactionContext, world: World, extra: Partial<Movement> = {}): Promise<void> {
  await tx.users.insert(world.user);
  await tx.sessions.insert(world.session);
  await tx.sessions.insertToken(world.token);
  await tx.movements.record({
    openedAccounts: [world.from, world.to],
    transfers: [world.transfer],
    ledgerLines: world.lines,
    idempotencyRecord: world.record,
    ...extra,
    events: [...world.events, ...(extra.events ?? [])],
  });
}

const everything = { page: 1, pageSize: 100 };

export async function unitOfWorkCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('commit: what work wrote is visible to later units of work, and run returns its value', (t) =>
    using(open, async ({ uow }) => {
      const world = aWorld();
      const value = await uow.run(async (tx) => {
        await tx.users.insert(world.user);
        // Reads inside the same unit of work see its own writes.
        t.same(await tx.users.findById(world.user.id), world.user, 'read-your-writes inside the unit of work');
        await tx.sessions.insert(world.session);
        await tx.sessions.insertToken(world.token);
        await tx.movements.record({
          openedAccounts: [world.from, world.to],
          transfers: [world.transfer],
          ledgerLines: world.lines,
          idempotencyRecord: world.record,
          events: world.events,
        });
        return { answer: 42, ids: [world.from.id] };
      });
      t.same(value, { answer: 42, ids: [world.from.id] }, 'run resolves with the value work returned');

      await uow.run(async (tx) => {
        t.same(await tx.users.findById(world.user.id), world.user);
        t.same(await tx.accounts.findById(world.from.id), world.from);
        t.same(await tx.accounts.findById(world.to.id), world.to);
        t.same(await tx.transfers.findById(world.transfer.id), world.transfer);
        t.same((await tx.ledger.listByAccount(world.from.id, {}, everything)).items, [world.lines[1], world.lines[0]]);
        t.same((await tx.ledger.listByAccount(world.to.id, {}, everything)).items, [world.lines[2]]);
        t.same(await tx.idempotency.find(world.user.id, world.record.key, world.record.createdAt), world.record);
        t.same(await tx.sessions.findById(world.session.id), world.session);
        t.same(await tx.sessions.lockToken(world.token.digest), world.token);
        t.same(await tx.outbox.listByAccount(world.from.id), [world.events[0]], 'the events, exactly as recorded');
        t.same(await tx.outbox.listByAccount(world.to.id), [world.events[1]]);
      });
      // And outside a transaction.
      await uow.read(async (store) => {
        t.same(await store.accounts.findById(world.from.id), world.from, 'read sees the commit');
        t.same(await store.outbox.listByAccount(world.from.id), [world.events[0]]);
        t.same(await store.users.findByEmail(world.user.email), world.user);
      });
    }),
  );

  await t.test('rollback: when work throws, nothing it wrote is visible, no event is kept, and the same error is rethrown', (t) =>
    using(open, async ({ uow }) => {
      // Rows committed before: the failing unit of work changes them, and the changes must vanish.
      const owner = await givenUser(uow);
      const kept = await givenAccount(uow, { ownerId: owner.id, balance: 5000, version: 3 });
      const keptSession = aSession({ userId: owner.id });
      const keptToken = aRefreshToken({ sessionId: keptSession.id });
      const expired = anIdempotencyRecord({
        userId: owner.id,
        createdAt: '2020-01-01T00:00:00.000Z',
        expiresAt: '2020-01-02T00:00:00.000Z',
      });
      await uow.run(async (tx) => {
        await tx.sessions.insert(keptSession);
        await tx.sessions.insertToken(keptToken);
        await tx.movements.record({ idempotencyRecord: expired, events: [] });
      });

      const world = aWorld();
      const later = new Date().toISOString();
      const replacement = anIdempotencyRecord({ userId: owner.id, key: expired.key, createdAt: later });
      const refusal = new InsufficientFunds('50.00', 'HTG');
      const seen: DomainEvent[][] = [];
      const unsubscribe = uow.subscribe((events) => void seen.push([...events]));
      const outcome = await settle(
        uow.run(async (tx) => {
          await tx.sessions.revoke(keptSession.id, later);
          await tx.sessions.markRotated(keptToken.digest, later);
          const [locked] = await tx.accounts.lockMany([kept.id]);
          const frozen = { ...kept, ...locked, balance: 0, status: 'FROZEN' as const, version: 4, updatedAt: later };
          await write(tx, world, {
            updatedAccounts: [frozen],
            idempotencyRecord: replacement,
            events: [accountEvent(randomUUID(), 'bank.account.frozen', frozen)],
          });
          throw refusal;
        }),
      );
      unsubscribe();
      t.equal(outcome.ok, false, 'run rejects');
      if (!outcome.ok) {
        t.equal(outcome.error, refusal, 'with the very error work threw');
        t.ok(outcome.error instanceof InsufficientFunds, 'of the same class');
      }
      await delay(10);
      t.same(seen, [], 'no subscriber hears of it');

      await uow.run(async (tx) => {
        t.equal(await tx.users.findById(world.user.id), undefined, 'no user');
        t.equal(await tx.users.findByEmail(world.user.email), undefined, 'no user by email');
        t.equal(await tx.accounts.findById(world.from.id), undefined, 'no account');
        t.equal(await tx.accounts.findByNumber(world.to.number), undefined, 'no account by number');
        t.same(await tx.ledger.listByAccount(world.from.id, {}, everything), { items: [], total: 0 }, 'no ledger line');
        t.equal(await tx.transfers.findById(world.transfer.id), undefined, 'no transfer');
        t.equal(await tx.idempotency.find(world.user.id, world.record.key, world.record.createdAt), undefined, 'no record');
        t.equal(await tx.sessions.findById(world.session.id), undefined, 'no session');
        t.equal(await tx.sessions.lockToken(world.token.digest), undefined, 'no token');
        t.same(await tx.outbox.listByAccount(world.from.id), [], 'no event');
        t.same(await tx.outbox.listByAccount(kept.id), [], 'no event about the kept account either');

        t.same(await tx.accounts.findById(kept.id), kept, 'an updated account is as it was');
        t.same(await tx.sessions.findById(keptSession.id), keptSession, 'a revoked session is as it was');
        t.same(await tx.sessions.lockToken(keptToken.digest), keptToken, 'a rotated token is as it was');
        t.equal(await tx.idempotency.find(owner.id, expired.key, later), undefined, 'a replaced record is not there');
      });
      // The expired record itself is still the one stored: recording a fresh one under its key works.
      await recorded(uow, { idempotencyRecord: replacement });
      t.same(await uow.run((tx) => tx.idempotency.find(owner.id, expired.key, later)), replacement);
    }),
  );

  await t.test('a plain Error thrown by work is rethrown as the same instance', (t) =>
    using(open, async ({ uow }) => {
      class Boom extends Error {}
      const boom = new Boom('boom');
      const user = aUser();
      const outcome = await settle(
        uow.run(async (tx) => {
          await tx.users.insert(user);
          throw boom;
        }),
      );
      t.equal(outcome.ok ? undefined : outcome.error, boom);
      t.equal(await uow.run((tx) => tx.users.findById(user.id)), undefined);
    }),
  );

  await t.test('subscribers get the committed events after the commit, in order, awaited before run resolves', (t) =>
    using(open, async ({ uow }) => {
      const account = await givenAccount(uow, { version: 1 });
      const changed = { ...account, status: 'FROZEN' as const, version: 2 };
      const event = accountEvent(randomUUID(), 'bank.account.frozen', changed);
      const log: string[] = [];
      const unsubscribe = [
        uow.subscribe(async (events) => {
          await delay(30);
          log.push(`first: ${events.map((e) => e.id).join(',')}`);
        }),
        uow.subscribe(() => {
          log.push('second');
        }),
        uow.subscribe(async () => {
          // The commit is done and the connection released: another unit of work sees the change.
          const seen = await within(
            uow.read((store) => store.accounts.findById(account.id)),
            5000,
          );
          log.push(seen === TIMED_OUT ? 'third: a read run from a subscriber did not finish' : seen?.status === 'FROZEN' ? 'third saw the commit' : 'third: not committed yet');
        }),
      ];
      const result = await uow.run(async (tx) => {
        await tx.accounts.lockMany([account.id]);
        await tx.movements.record({ updatedAccounts: [changed], events: [event] });
        log.push('work');
        return 'done';
      });
      t.equal(result, 'done');
      t.same(log, ['work', `first: ${event.id}`, 'second', 'third saw the commit']);

      // A unit of work that recorded no event calls no subscriber.
      log.length = 0;
      await uow.run((tx) => tx.users.insert(aUser()));
      await recorded(uow, { openedAccounts: [anAccount({ ownerId: account.ownerId })] });
      t.same(log, [], 'no event, no call');
      for (const stop of unsubscribe) stop();
      await recorded(uow, { updatedAccounts: [], events: [accountEvent(randomUUID(), 'bank.account.unfrozen', { ...changed, status: 'ACTIVE', version: 3 })] });
      t.same(log, [], 'an unsubscribed subscriber hears nothing');
    }),
  );

  await t.test('a subscriber that throws does not make run reject, and the next subscribers still run', (t) =>
    using(open, async ({ uow }) => {
      const account = await givenAccount(uow, { version: 1 });
      const log: string[] = [];
      const unsubscribe = [
        uow.subscribe(() => {
          throw new Error('subscriber failed');
        }),
        uow.subscribe(async () => {
          await delay(1);
          throw new Error('async subscriber failed');
        }),
        uow.subscribe(() => {
          log.push('last');
        }),
      ];
      const changed = { ...account, status: 'FROZEN' as const, version: 2 };
      const result = await uow.run(async (tx) => {
        await tx.accounts.lockMany([account.id]);
        await tx.movements.record({ updatedAccounts: [changed], events: [accountEvent(randomUUID(), 'bank.account.frozen', changed)] });
        return 7;
      });
      for (const stop of unsubscribe) stop();
      t.equal(result, 7);
      t.same(log, ['last']);
      t.same(await uow.read((store) => store.accounts.findById(account.id)), changed, 'the work is committed');
    }),
  );
}
