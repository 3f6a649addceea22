import type { Test } from 'tap';
import { anAccount, aUser } from '../../builders.js';
import { delay, settle, using } from '../support.js';
import { givenUser, type OpenStore } from './store-harness.js';

export async function userCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('users: insert, findById, findByEmail', (t) =>
    using(open, async ({ uow }) => {
      const user = aUser({ fullName: 'Jean-Bertrand Aristide — « Titid » ✓' });
      await uow.run((tx) => tx.users.insert(user));
      await uow.run(async (tx) => {
        t.same(await tx.users.findById(user.id), user);
        t.same(await tx.users.findByEmail(user.email), user);
        t.equal(await tx.users.findById(aUser().id), undefined, 'unknown id');
        t.equal(await tx.users.findByEmail(aUser().email), undefined, 'unknown email');
      });
    }),
  );

  await t.test('users: a second user with the same email is refused with EmailTaken', (t) =>
    using(open, async ({ uow }) => {
      const first = await givenUser(uow);
      const second = aUser({ email: first.email });
      await t.rejects(
        uow.run((tx) => tx.users.insert(second)),
        { name: 'EmailTaken', code: 'email_taken' },
      );
      await uow.run(async (tx) => {
        t.same(await tx.users.findByEmail(first.email), first, 'the first user stays');
        t.equal(await tx.users.findById(second.id), undefined, 'the second is not stored');
      });
    }),
  );

  await t.test('users: two concurrent inserts of one email: exactly one succeeds, the other gets EmailTaken', (t) =>
    using(open, async ({ uow }) => {
      const email = aUser().email;
      const contenders = [aUser({ email }), aUser({ email })];
      const outcomes = await Promise.all(
        contenders.map((user) =>
          settle(
            uow.run(async (tx) => {
              await tx.users.insert(user);
              await delay(50); // keep both transactions open at once
              return user.id;
            }),
          ),
        ),
      );
      const winners = outcomes.filter((o) => o.ok);
      const losers = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
      t.equal(winners.length, 1, 'one insert commits');
      t.equal(losers.length, 1, 'one is refused');
      t.has(losers[0], { name: 'EmailTaken', code: 'email_taken' }, 'with EmailTaken, never another error');
      const stored = await uow.run((tx) => tx.users.findByEmail(email));
      t.equal(stored?.id, winners[0]?.ok ? winners[0].value : 'none', 'the winner is the stored user');
    }),
  );

  await t.test('users: lock serialises read-count-insert for one user (the account cap holds under concurrency)', (t) =>
    using(open, async ({ uow }) => {
      const owner = await givenUser(uow);
      const cap = 3;
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () =>
          uow.run(async (tx) => {
            await tx.users.lock(owner.id);
            const open = await tx.accounts.countOpenByOwner(owner.id);
            await delay(5);
            if (open >= cap) return false;
            await tx.movements.record({ openedAccounts: [anAccount({ ownerId: owner.id })], events: [] });
            return true;
          }),
        ),
      );
      t.equal(outcomes.filter(Boolean).length, cap, 'exactly the cap of accounts were opened');
      t.equal(await uow.run((tx) => tx.accounts.countOpenByOwner(owner.id)), cap);
    }),
  );
}
