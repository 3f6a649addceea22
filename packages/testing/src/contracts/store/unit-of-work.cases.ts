import { InsufficientFunds, type TransactionContext } from '@banking/domain';
import type { Test } from 'tap';
import { aLedgerEntry, aRefreshToken, aSession, aTransfer, anAccount, anIdempotencyRecord, aUser } from '../../builders.js';
import { delay, settle, TIMED_OUT, using, within } from '../support.js';
import { givenAccount, givenUser, type OpenStore } from './store-harness.js';

/** One of everything a unit of work can write: a user, two accounts, a transfer and its ledger lines, a record, a login. */
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
  const lines = [
    aLedgerEntry({ accountId: from.id, sequence: 1, amount: 1000, balanceAfter: 1000 }),
    aLedgerEntry({
      accountId: from.id,
      sequence: 2,
      type: 'VIREMENT',
      direction: 'DEBIT',
      amount: 300,
      balanceAfter: 700,
      transferId: transfer.id,
      counterpartyAccountNumber: to.number,
    }),
    aLedgerEntry({
      accountId: to.id,
      sequence: 1,
      type: 'VIREMENT',
      direction: 'CREDIT',
      amount: 300,
      balanceAfter: 300,
      transferId: transfer.id,
      counterpartyAccountNumber: from.number,
    }),
  ];
  const record = anIdempotencyRecord({ userId: user.id });
  const session = aSession({ userId: user.id });
  const token = aRefreshToken({ sessionId: session.id });
  return { user, from, to, transfer, lines, record, session, token };
}

type World = ReturnType<typeof aWorld>;

async function write(tx: TransactionContext, world: World): Promise<void> {
  await tx.users.insert(world.user);
  await tx.accounts.insert(world.from);
  await tx.accounts.insert(world.to);
  await tx.transfers.insert(world.transfer);
  await tx.ledger.append(world.lines);
  await tx.idempotency.save(world.record);
  await tx.sessions.insert(world.session);
  await tx.sessions.insertToken(world.token);
}

const everything = { page: 1, pageSize: 100 };

export async function unitOfWorkCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('commit: what work wrote is visible to later units of work, and run returns its value', (t) =>
    using(open, async ({ uow }) => {
      const world = aWorld();
      const value = await uow.run(async (tx) => {
        await write(tx, world);
        // Reads inside the same unit of work see its own writes.
        t.same(await tx.users.findById(world.user.id), world.user, 'read-your-writes inside the unit of work');
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
      });
    }),
  );

  await t.test('rollback: when work throws, nothing it wrote is visible and the same error is rethrown', (t) =>
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
        await tx.idempotency.save(expired);
      });

      const world = aWorld();
      const later = new Date().toISOString();
      const replacement = anIdempotencyRecord({ userId: owner.id, key: expired.key, createdAt: later });
      const refusal = new InsufficientFunds('50.00', 'HTG');
      let hookRan = false;
      const outcome = await settle(
        uow.run(async (tx) => {
          await write(tx, world);
          await tx.accounts.update({ ...kept, balance: 0, status: 'FROZEN', version: 4, updatedAt: later });
          await tx.sessions.revoke(keptSession.id, later);
          await tx.sessions.markRotated(keptToken.digest, later);
          await tx.idempotency.save(replacement);
          tx.afterCommit(() => {
            hookRan = true;
          });
          throw refusal;
        }),
      );
      t.equal(outcome.ok, false, 'run rejects');
      if (!outcome.ok) {
        t.equal(outcome.error, refusal, 'with the very error work threw');
        t.ok(outcome.error instanceof InsufficientFunds, 'of the same class');
      }
      await delay(10);
      t.equal(hookRan, false, 'afterCommit hooks do not run');

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

        t.same(await tx.accounts.findById(kept.id), kept, 'an updated account is as it was');
        t.same(await tx.sessions.findById(keptSession.id), keptSession, 'a revoked session is as it was');
        t.same(await tx.sessions.lockToken(keptToken.digest), keptToken, 'a rotated token is as it was');
        t.equal(await tx.idempotency.find(owner.id, expired.key, later), undefined, 'a replaced record is not there');
      });
      // The expired record itself is still the one stored: saving a fresh one under its key works.
      await uow.run((tx) => tx.idempotency.save(replacement));
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

  await t.test('afterCommit hooks run after the commit, in order, and are awaited before run resolves', (t) =>
    using(open, async ({ uow }) => {
      const user = aUser();
      const log: string[] = [];
      const result = await uow.run(async (tx) => {
        await tx.users.insert(user);
        tx.afterCommit(async () => {
          await delay(30);
          log.push('first');
        });
        tx.afterCommit(() => {
          log.push('second');
        });
        tx.afterCommit(async () => {
          // The commit is done and the transaction released: another unit of work sees the row.
          const seen = await within(
            uow.run((tx) => tx.users.findById(user.id)),
            5000,
          );
          log.push(seen === TIMED_OUT ? 'third: a unit of work run from a hook did not finish' : seen === undefined ? 'third: not committed yet' : 'third saw the commit');
        });
        log.push('work');
        return 'done';
      });
      t.equal(result, 'done');
      t.same(log, ['work', 'first', 'second', 'third saw the commit']);
    }),
  );

  await t.test('a hook that throws does not make run reject, and the next hooks still run', (t) =>
    using(open, async ({ uow }) => {
      const user = aUser();
      const log: string[] = [];
      const result = await uow.run(async (tx) => {
        await tx.users.insert(user);
        tx.afterCommit(() => {
          throw new Error('hook failed');
        });
        tx.afterCommit(async () => {
          await delay(1);
          throw new Error('async hook failed');
        });
        tx.afterCommit(() => {
          log.push('last');
        });
        return 7;
      });
      t.equal(result, 7);
      t.same(log, ['last']);
      t.same(await uow.run((tx) => tx.users.findById(user.id)), user, 'the work is committed');
    }),
  );
}
