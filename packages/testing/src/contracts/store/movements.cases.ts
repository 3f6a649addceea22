import { randomUUID } from 'node:crypto';
import { accountEvent, transactionPosted } from '@banking/domain';
import type { Test } from 'tap';
import { aLedgerEntry, anAccount } from '../../builders.js';
import { settle, using } from '../support.js';
import { givenAccount, givenUser, recorded, type OpenStore } from './store-harness.js';

/**
 * The rules of the one write of a unit of work (`tx.movements.record`), whatever the store:
 * recorded once and last, only over accounts the unit of work locked, each event once per
 * account version. A refusal rolls the whole unit of work back.
 */
export async function movementCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('movements: an account updated without being locked first is refused, and nothing is written', (t) =>
    using(open, async ({ uow }) => {
      const account = await givenAccount(uow, { balance: 100, version: 1 });
      const user = await givenUser(uow);
      const outcome = await settle(
        uow.run(async (tx) => {
          await tx.users.lock(user.id);
          await tx.movements.record({ updatedAccounts: [{ ...account, balance: 50, version: 2 }], events: [] });
        }),
      );
      t.equal(outcome.ok, false, 'refused');
      t.same(await uow.read((store) => store.accounts.findById(account.id)), account, 'the account is unchanged');
    }),
  );

  await t.test('movements: one account updated twice in a movement is refused', (t) =>
    using(open, async ({ uow }) => {
      const account = await givenAccount(uow, { balance: 100, version: 1 });
      const outcome = await settle(
        uow.run(async (tx) => {
          await tx.accounts.lockMany([account.id]);
          await tx.movements.record({ updatedAccounts: [{ ...account, balance: 50, version: 2 }, { ...account, balance: 70, version: 3 }], events: [] });
        }),
      );
      t.equal(outcome.ok, false, 'refused');
      t.same(await uow.read((store) => store.accounts.findById(account.id)), account, 'the account is unchanged');
    }),
  );

  await t.test('movements: recorded once, last: a second movement, or any store call after it, fails the unit of work', (t) =>
    using(open, async ({ uow }) => {
      const owner = await givenUser(uow);
      const first = anAccount({ ownerId: owner.id });
      const second = anAccount({ ownerId: owner.id });
      const twice = await settle(
        uow.run(async (tx) => {
          await tx.movements.record({ openedAccounts: [first], events: [] });
          await tx.movements.record({ openedAccounts: [second], events: [] });
        }),
      );
      t.equal(twice.ok, false, 'a second record() is refused');
      const after = await settle(
        uow.run(async (tx) => {
          await tx.movements.record({ openedAccounts: [first], events: [] });
          await tx.accounts.findById(first.id);
        }),
      );
      t.equal(after.ok, false, 'a read after record() is refused');
      await uow.read(async (store) => {
        t.equal(await store.accounts.findById(first.id), undefined, 'nothing of either was committed');
        t.equal(await store.accounts.findById(second.id), undefined);
      });
    }),
  );

  await t.test('movements: a movement the store refuses is not committed, even when work catches the error', (t) =>
    using(open, async ({ uow }) => {
      const owner = await givenUser(uow);
      const fresh = anAccount({ ownerId: owner.id });
      const outcome = await settle(
        uow.run(async (tx) => {
          await tx.movements
            .record({ openedAccounts: [fresh, anAccount({ ownerId: owner.id, balance: -1 })], events: [] })
            .catch(() => undefined);
          return 'swallowed';
        }),
      );
      t.equal(outcome.ok, false, 'run rejects');
      t.equal(await uow.read((store) => store.accounts.findById(fresh.id)), undefined, 'nothing of the movement was committed');
    }),
  );

  await t.test('movements: one event per account version: a second event at a taken (account, sequence) is refused', (t) =>
    using(open, async ({ uow }) => {
      const account = await givenAccount(uow, { balance: 0, version: 1 });
      const opened = accountEvent(randomUUID(), 'bank.account.opened', account);
      await recorded(uow, { events: [opened] });
      const line = aLedgerEntry({ accountId: account.id, sequence: 1 });
      const again = await settle(recorded(uow, { ledgerLines: [line], events: [transactionPosted(randomUUID(), line, account.ownerId)] }));
      t.equal(again.ok, false, 'refused');
      await uow.read(async (store) => {
        t.same(await store.outbox.listByAccount(account.id), [opened], 'only the first is kept');
        t.same(await store.ledger.listByAccount(account.id, {}, { page: 1, pageSize: 10 }), { items: [], total: 0 }, 'and the line of the refused movement is not');
      });
    }),
  );

  await t.test('movements: the outbox keeps events exactly, each account’s by sequence, whatever order they were written in', (t) =>
    using(open, async ({ uow }) => {
      const owner = await givenUser(uow);
      const account = anAccount({ ownerId: owner.id, version: 1 });
      const other = anAccount({ ownerId: owner.id, version: 1 });
      const line = aLedgerEntry({ accountId: account.id, sequence: 3, description: 'Café « crème » ✓ 日本 🔐', amount: Number.MAX_SAFE_INTEGER, balanceAfter: Number.MAX_SAFE_INTEGER });
      const events = [
        transactionPosted(randomUUID(), line, owner.id),
        accountEvent(randomUUID(), 'bank.account.opened', account),
        accountEvent(randomUUID(), 'bank.account.frozen', { ...account, status: 'FROZEN', version: 2 }),
        accountEvent(randomUUID(), 'bank.account.opened', other),
      ];
      await recorded(uow, { openedAccounts: [account, other], ledgerLines: [line], events });
      await uow.read(async (store) => {
        t.same(await store.outbox.listByAccount(account.id), [events[1], events[2], events[0]], 'by sequence');
        t.same(await store.outbox.listByAccount(other.id), [events[3]]);
        t.same(await store.outbox.listByAccount(randomUUID()), [], 'none for an unknown account');
        t.same(await store.outbox.listByAccount('not-a-uuid'), [], 'nor for a string that is not an id');
      });
    }),
  );
}
