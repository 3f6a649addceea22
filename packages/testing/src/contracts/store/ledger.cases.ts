import { randomUUID } from 'node:crypto';
import type { LedgerEntry, LedgerFilter } from '@banking/domain';
import type { Test } from 'tap';
import { aLedgerEntry, aTransfer } from '../../builders.js';
import { instants, using } from '../support.js';
import { givenAccount, givenUser, recorded, type OpenStore } from './store-harness.js';

const MAX = Number.MAX_SAFE_INTEGER;
/** 255 characters (code points), the longest description the domain accepts; 310 UTF-16 units. */
const LONGEST = 'é'.repeat(200) + '🔐'.repeat(55);

export async function ledgerCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('ledger: lines round-trip exactly, newest first by sequence, with filters, pages and totals', (t) =>
    using(open, async ({ uow }) => {
      const at = instants();
      const owner = await givenUser(uow);
      const a = await givenAccount(uow, { ownerId: owner.id });
      const b = await givenAccount(uow, { ownerId: owner.id });
      const transfer = aTransfer({
        fromAccountId: a.id,
        toAccountId: b.id,
        fromAccountNumber: a.number,
        toAccountNumber: b.number,
        amount: 1500,
        fromBalanceAfter: 6000,
        description: 'Loyer',
        createdAt: at(2000),
      });
      await recorded(uow, { transfers: [transfer] });
      const lines: LedgerEntry[] = [
        aLedgerEntry({ accountId: a.id, sequence: 1, amount: 10000, balanceAfter: 10000, description: 'Salaire de mars — « Café » ✓ 日本', createdAt: at(0) }),
        aLedgerEntry({ accountId: a.id, sequence: 2, type: 'RETRAIT', direction: 'DEBIT', amount: 2500, balanceAfter: 7500, createdAt: at(1000) }),
        aLedgerEntry({
          accountId: a.id,
          sequence: 3,
          type: 'VIREMENT',
          direction: 'DEBIT',
          amount: 1500,
          balanceAfter: 6000,
          description: 'Loyer',
          transferId: transfer.id,
          counterpartyAccountNumber: b.number,
          createdAt: at(2000),
        }),
        // Same instant as sequence 3: the order is decided by sequence.
        aLedgerEntry({ accountId: a.id, sequence: 4, amount: 1000, balanceAfter: 7000, createdAt: at(2000) }),
        aLedgerEntry({ accountId: a.id, sequence: 5, amount: MAX - 7000, balanceAfter: MAX, description: LONGEST, createdAt: at(3000) }),
      ];
      const credit = aLedgerEntry({
        accountId: b.id,
        sequence: 1,
        type: 'VIREMENT',
        direction: 'CREDIT',
        amount: 1500,
        balanceAfter: 1500,
        description: 'Loyer',
        transferId: transfer.id,
        counterpartyAccountNumber: a.number,
        createdAt: at(2000),
      });
      const [l1, l2, l3, l4, l5] = lines as [LedgerEntry, LedgerEntry, LedgerEntry, LedgerEntry, LedgerEntry];
      await recorded(uow, { ledgerLines: [l1, l2] });
      await recorded(uow, { ledgerLines: [l3, credit] });
      await recorded(uow, { ledgerLines: [l4, l5] });

      const list = (filter: LedgerFilter, page = 1, pageSize = 100, accountId = a.id) =>
        uow.run((tx) => tx.ledger.listByAccount(accountId, filter, { page, pageSize }));

      t.same(await list({}), { items: [l5, l4, l3, l2, l1], total: 5 }, 'every line, newest first, exactly as written');
      t.same(await list({}, 1, 100, b.id), { items: [credit], total: 1 }, 'only the account’s own lines');
      t.same(await list({ type: 'DEPOT' }), { items: [l5, l4, l1], total: 3 }, 'by type');
      t.same(await list({ type: 'VIREMENT' }), { items: [l3], total: 1 }, 'by type (transfer)');
      t.same(await list({ from: at(1000), to: at(2000) }), { items: [l4, l3, l2], total: 3 }, 'from/to are inclusive');
      t.same(await list({ from: at(2000) }), { items: [l5, l4, l3], total: 3 }, 'from alone');
      t.same(await list({ to: at(1000) }), { items: [l2, l1], total: 2 }, 'to alone');
      t.same(await list({ from: at(1001), to: at(1999) }), { items: [], total: 0 }, 'an empty range');
      t.same(await list({ type: 'DEPOT', from: at(1), to: at(2000) }), { items: [l4], total: 1 }, 'type and dates together');
      t.same(await list({}, 2, 2), { items: [l3, l2], total: 5 }, 'page 2 of 2');
      t.same(await list({}, 3, 2), { items: [l1], total: 5 }, 'last page');
      t.same(await list({}, 4, 2), { items: [], total: 5 }, 'past the end');
      t.same(await list({ type: 'DEPOT' }, 2, 2), { items: [l1], total: 3 }, 'a filtered page');
      t.same(await list({}, 1, 10, randomUUID()), { items: [], total: 0 }, 'an unknown account');

      const [first] = (await list({ type: 'RETRAIT' })).items;
      t.equal(first?.description, null, 'a null description stays null');
      t.equal(first?.transferId, null);
      t.equal(first?.counterpartyAccountNumber, null);
    }),
  );
}
