import { randomUUID } from 'node:crypto';
import type { Account, AccountFilter } from '@banking/domain';
import type { Test } from 'tap';
import { anAccount, anAccountNumber } from '../../builders.js';
import { compareIds, instants, using } from '../support.js';
import { givenAccount, givenUser, recorded, type OpenStore } from './store-harness.js';

const NOT_IDS = ['not-a-uuid', '', '00000000-0000-0000-0000-00000000000g', "1' OR '1'='1", randomUUID().toUpperCase() + 'x'];

export async function accountCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('accounts: insert, findById, findByNumber, update', (t) =>
    using(open, async ({ uow }) => {
      const account = await givenAccount(uow, { type: 'EPARGNE', currency: 'USD', balance: 12345, version: 7 });
      await uow.run(async (tx) => {
        t.same(await tx.accounts.findById(account.id), account);
        t.same(await tx.accounts.findByNumber(account.number), account);
      });
      const changed: Account = {
        ...account,
        balance: 99,
        status: 'FROZEN',
        version: 8,
        updatedAt: new Date(Date.parse(account.updatedAt) + 1500).toISOString(),
      };
      await uow.run(async (tx) => {
        const [locked] = await tx.accounts.lockMany([account.id]);
        t.same(locked, account, 'lockMany returns the row');
        await tx.movements.record({ updatedAccounts: [changed], events: [] });
      });
      t.same(await uow.run((tx) => tx.accounts.findById(account.id)), changed, 'balance, status, version and updatedAt are written');
    }),
  );

  await t.test('accounts: unknown ids and strings that are not UUIDs find nothing and never throw', (t) =>
    using(open, async ({ uow }) => {
      const account = await givenAccount(uow);
      await uow.run(async (tx) => {
        for (const id of [...NOT_IDS, randomUUID()]) {
          t.equal(await tx.accounts.findById(id), undefined, `findById(${JSON.stringify(id)})`);
        }
        for (const number of ['nope', '', anAccountNumber(), `${account.number}0`, "' OR 1=1 --"]) {
          t.equal(await tx.accounts.findByNumber(number), undefined, `findByNumber(${JSON.stringify(number)})`);
        }
        t.same(await tx.accounts.lockMany([]), [], 'lockMany([])');
        t.same(await tx.accounts.lockMany([...NOT_IDS, randomUUID()]), [], 'lockMany of unknown ids');
        t.same(await tx.accounts.lockMany(['not-a-uuid', account.id, randomUUID()]), [account], 'unknown ids are left out');
      });
    }),
  );

  await t.test('accounts: lockMany returns rows in ascending id order, deduplicated', (t) =>
    using(open, async ({ uow }) => {
      const owner = await givenUser(uow);
      const accounts = [await givenAccount(uow, { ownerId: owner.id }), await givenAccount(uow, { ownerId: owner.id }), await givenAccount(uow, { ownerId: owner.id })];
      const ascending = [...accounts].sort((a, b) => compareIds(a.id, b.id));
      const descending = [...ascending].reverse().map((a) => a.id);
      const locked = await uow.run((tx) => tx.accounts.lockMany([...descending, descending[0] ?? '', descending[2] ?? '']));
      t.same(locked, ascending);
    }),
  );

  await t.test('accounts: lockMany by ids and numbers, in one ascending id order, each account once', (t) =>
    using(open, async ({ uow }) => {
      const owner = await givenUser(uow);
      const accounts = [await givenAccount(uow, { ownerId: owner.id }), await givenAccount(uow, { ownerId: owner.id }), await givenAccount(uow, { ownerId: owner.id })];
      const [a, b, c] = accounts as [Account, Account, Account];
      const ascending = (...rows: Account[]) => [...rows].sort((x, y) => compareIds(x.id, y.id));
      await uow.run(async (tx) => {
        t.same(await tx.accounts.lockMany([a.id], [b.number]), ascending(a, b), 'one by id, one by number');
        t.same(await tx.accounts.lockMany([], [c.number, a.number]), ascending(a, c), 'by numbers only');
        t.same(await tx.accounts.lockMany([a.id, b.id], [a.number, c.number]), ascending(a, b, c), 'an account named both ways comes once');
        t.same(await tx.accounts.lockMany([a.id], ['nope', '', anAccountNumber(), "' OR 1=1 --"]), [a], 'unknown numbers are left out');
      });
    }),
  );

  await t.test('accounts: countOpenByOwner counts the owner’s accounts that are not CLOSED', (t) =>
    using(open, async ({ uow }) => {
      const owner = await givenUser(uow);
      const other = await givenUser(uow);
      t.equal(await uow.run((tx) => tx.accounts.countOpenByOwner(owner.id)), 0, 'none yet');
      for (const status of ['ACTIVE', 'FROZEN', 'CLOSED', 'CLOSED'] as const) await givenAccount(uow, { ownerId: owner.id, status });
      await givenAccount(uow, { ownerId: other.id });
      t.equal(await uow.run((tx) => tx.accounts.countOpenByOwner(owner.id)), 2);
      t.equal(await uow.run((tx) => tx.accounts.countOpenByOwner(other.id)), 1);
    }),
  );

  await t.test('accounts: listByOwner filters, pages, orders oldest first with ties by id, and counts all matches', (t) =>
    using(open, async ({ uow }) => {
      const at = instants();
      const owner = await givenUser(uow);
      const other = await givenUser(uow);
      // Two pairs created at the same instant: their order is decided by id.
      const rows = [
        anAccount({ ownerId: owner.id, createdAt: at(3000), updatedAt: at(3000), type: 'EPARGNE', status: 'FROZEN' }),
        anAccount({ ownerId: owner.id, createdAt: at(0), updatedAt: at(0) }),
        anAccount({ ownerId: owner.id, createdAt: at(1000), updatedAt: at(1000), type: 'EPARGNE' }),
        anAccount({ ownerId: owner.id, createdAt: at(1000), updatedAt: at(1000), status: 'CLOSED' }),
        anAccount({ ownerId: owner.id, createdAt: at(2000), updatedAt: at(5000), type: 'EPARGNE', status: 'FROZEN' }),
        anAccount({ ownerId: owner.id, createdAt: at(2000), updatedAt: at(2000) }),
        anAccount({ ownerId: other.id, createdAt: at(500), updatedAt: at(500) }),
      ];
      await recorded(uow, { openedAccounts: rows });
      const mine = rows
        .filter((a) => a.ownerId === owner.id)
        .sort((a, b) => (a.createdAt === b.createdAt ? compareIds(a.id, b.id) : a.createdAt < b.createdAt ? -1 : 1));
      const list = (filter: AccountFilter, page: number, pageSize: number) =>
        uow.run((tx) => tx.accounts.listByOwner(owner.id, filter, { page, pageSize }));

      t.same(await list({}, 1, 100), { items: mine, total: 6 }, 'all, in order');
      t.same(await list({}, 1, 4), { items: mine.slice(0, 4), total: 6 }, 'page 1 of 4');
      t.same(await list({}, 2, 4), { items: mine.slice(4), total: 6 }, 'page 2 of 4');
      t.same(await list({}, 3, 4), { items: [], total: 6 }, 'past the end: no items, still the total');
      t.same(await list({ status: 'FROZEN' }, 1, 100), { items: mine.filter((a) => a.status === 'FROZEN'), total: 2 }, 'by status');
      t.same(await list({ type: 'EPARGNE' }, 1, 100), { items: mine.filter((a) => a.type === 'EPARGNE'), total: 3 }, 'by type');
      t.same(
        await list({ type: 'COURANT', status: 'ACTIVE' }, 1, 1),
        { items: mine.filter((a) => a.type === 'COURANT' && a.status === 'ACTIVE').slice(0, 1), total: 2 },
        'by both, paged',
      );
      t.same(await list({ status: 'CLOSED', type: 'EPARGNE' }, 1, 10), { items: [], total: 0 }, 'nothing matches');
      t.same(
        await uow.run((tx) => tx.accounts.listByOwner(randomUUID(), {}, { page: 1, pageSize: 10 })),
        { items: [], total: 0 },
        'an owner without accounts',
      );
    }),
  );

  await t.test('accounts: balances round-trip exactly up to Number.MAX_SAFE_INTEGER', (t) =>
    using(open, async ({ uow }) => {
      const account = await givenAccount(uow, { balance: Number.MAX_SAFE_INTEGER });
      t.equal((await uow.run((tx) => tx.accounts.findById(account.id)))?.balance, 9007199254740991, 'inserted');
      await uow.run(async (tx) => {
        const [locked] = await tx.accounts.lockMany([account.id]);
        t.equal(locked?.balance, 9007199254740991, 'locked');
        await tx.movements.record({ updatedAccounts: [{ ...account, balance: 9007199254740990, version: 1 }], events: [] });
      });
      const updated = await uow.run((tx) => tx.accounts.findByNumber(account.number));
      t.equal(updated?.balance, 9007199254740990, 'updated');
      t.equal(typeof updated?.balance, 'number', 'as a number');
    }),
  );
}
