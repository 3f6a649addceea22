import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { aTransfer } from '../../builders.js';
import { using } from '../support.js';
import { givenAccount, givenUser, recorded, type OpenStore } from './store-harness.js';

export async function transferCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('transfers: recorded and found by id round-trip; unknown ids and non-UUIDs find nothing', (t) =>
    using(open, async ({ uow }) => {
      const owner = await givenUser(uow);
      const from = await givenAccount(uow, { ownerId: owner.id, currency: 'EUR' });
      const to = await givenAccount(uow, { currency: 'EUR' });
      const sides = { fromAccountId: from.id, toAccountId: to.id, fromAccountNumber: from.number, toAccountNumber: to.number, currency: 'EUR' as const };
      const plain = aTransfer({ ...sides, amount: 1, fromBalanceAfter: 0 });
      const described = aTransfer({ ...sides, amount: Number.MAX_SAFE_INTEGER, fromBalanceAfter: Number.MAX_SAFE_INTEGER, description: 'Remboursement « prêt » ✓' });
      await recorded(uow, { transfers: [plain, described] });
      await uow.run(async (tx) => {
        t.same(await tx.transfers.findById(plain.id), plain, 'null description');
        t.same(await tx.transfers.findById(described.id), described, 'with a description and the largest amounts');
        for (const id of [randomUUID(), 'not-a-uuid', '', "' OR 1=1 --"]) {
          t.equal(await tx.transfers.findById(id), undefined, `findById(${JSON.stringify(id)})`);
        }
      });
    }),
  );
}
