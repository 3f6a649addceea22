import type { Account, TransactionContext } from '@banking/domain';
import type { Test } from 'tap';
import { delay, settle, using } from '../support.js';
import { givenAccount, givenUser, type OpenStore } from './store-harness.js';

/** Read-modify-write of balances under lockMany, with an await between the read and the write. */
async function move(tx: TransactionContext, lockOrder: readonly string[], fromId: string, toId: string, amount: number): Promise<void> {
  const locked = await tx.accounts.lockMany(lockOrder);
  const from = locked.find((a) => a.id === fromId);
  const to = locked.find((a) => a.id === toId);
  if (from === undefined || to === undefined) throw new Error('lockMany lost an account');
  await delay(2);
  const at = new Date().toISOString();
  const moved = (a: Account, delta: number): Account => ({ ...a, balance: a.balance + delta, version: a.version + 1, updatedAt: at });
  await tx.movements.record({ updatedAccounts: [moved(from, -amount), moved(to, amount)], events: [] });
}

export async function concurrencyCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('concurrency: 20 concurrent read-modify-writes of one locked balance lose no update', (t) =>
    using(open, async ({ uow }) => {
      const account = await givenAccount(uow, { balance: 1000 });
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          settle(
            uow.run(async (tx) => {
              const [locked] = await tx.accounts.lockMany([account.id]);
              if (locked === undefined) throw new Error('account not found');
              await delay(2);
              await tx.movements.record({ updatedAccounts: [{ ...locked, balance: locked.balance + i + 1, version: locked.version + 1 }], events: [] });
            }),
          ),
        ),
      );
      t.same(outcomes.filter((o) => !o.ok), [], 'every unit of work commits');
      const final = await uow.run((tx) => tx.accounts.findById(account.id));
      t.equal(final?.balance, 1000 + (20 * 21) / 2, 'the final balance is the sum of every increment');
      t.equal(final?.version, 20, 'every write was applied on top of the previous one');
    }),
  );

  await t.test('concurrency: movements A→B and B→A at once, locking in either order, all complete', (t) =>
    using(open, async ({ uow }) => {
      const owner = await givenUser(uow);
      const a = await givenAccount(uow, { ownerId: owner.id, balance: 1000 });
      const b = await givenAccount(uow, { ownerId: owner.id, balance: 1000 });
      const movements = Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? uow.run((tx) => move(tx, [a.id, b.id], a.id, b.id, 7))
          : uow.run((tx) => move(tx, [b.id, a.id], b.id, a.id, 3)),
      );
      const outcomes = await Promise.all(movements.map(settle));
      t.same(
        outcomes.flatMap((o) => (o.ok ? [] : [String(o.error)])),
        [],
        'none rejects (no deadlock reaches the caller)',
      );
      const [finalA, finalB] = await uow.run((tx) => tx.accounts.lockMany([a.id, b.id]).then((rows) => [a, b].map((x) => rows.find((r) => r.id === x.id))));
      t.equal(finalA?.balance, 1000 - 10 * 7 + 10 * 3);
      t.equal(finalB?.balance, 1000 + 10 * 7 - 10 * 3);
      t.equal(finalA?.version, 20);
      t.equal(finalB?.version, 20);
    }),
  );
}
