import type { Test } from 'tap';
import { aLedgerEntry, anAccount } from '../../builders.js';
import { settle, using } from '../support.js';
import { givenAccount, recorded, type OpenStore } from './store-harness.js';

/**
 * Defence in depth: the store itself refuses rows that would break the money invariants, so a
 * bug above it fails loudly instead of committing a negative balance or a movement twice.
 * Any rejection will do; what matters is that nothing is committed.
 */
export async function invariantCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('the store refuses negative balances, duplicate account numbers and duplicate or empty ledger lines', (t) =>
    using(open, async ({ uow }) => {
      const account = await givenAccount(uow, { balance: 1000, version: 1 });
      const line = aLedgerEntry({ accountId: account.id, sequence: 1, amount: 1000, balanceAfter: 1000 });
      await recorded(uow, { ledgerLines: [line] });

      const refusals: Record<string, () => Promise<unknown>> = {
        'an account inserted with a negative balance': () => recorded(uow, { openedAccounts: [anAccount({ ownerId: account.ownerId, balance: -1 })] }),
        'an account updated to a negative balance': () =>
          uow.run(async (tx) => {
            const [locked] = await tx.accounts.lockMany([account.id]);
            if (locked) await tx.movements.record({ updatedAccounts: [{ ...locked, balance: -1, version: 2 }], events: [] });
          }),
        'a second account with the same number': () => recorded(uow, { openedAccounts: [anAccount({ ownerId: account.ownerId, number: account.number })] }),
        'a second ledger line with the same (account, sequence)': () =>
          recorded(uow, { ledgerLines: [aLedgerEntry({ accountId: account.id, sequence: 1, amount: 1000, balanceAfter: 2000 })] }),
        'a ledger line of amount 0': () => recorded(uow, { ledgerLines: [aLedgerEntry({ accountId: account.id, sequence: 2, amount: 0, balanceAfter: 1000 })] }),
        'a ledger line leaving a negative balance': () =>
          recorded(uow, { ledgerLines: [aLedgerEntry({ accountId: account.id, sequence: 2, type: 'RETRAIT', direction: 'DEBIT', amount: 1001, balanceAfter: -1 })] }),
      };
      for (const [what, attempt] of Object.entries(refusals)) {
        const outcome = await settle(attempt());
        t.equal(outcome.ok, false, `refuses ${what}`);
      }
      await uow.run(async (tx) => {
        t.same(await tx.accounts.findById(account.id), account, 'the account is unchanged');
        t.same(await tx.ledger.listByAccount(account.id, {}, { page: 1, pageSize: 10 }), { items: [line], total: 1 }, 'its ledger is unchanged');
      });
    }),
  );
}
