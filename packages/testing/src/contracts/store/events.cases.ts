import { randomUUID } from 'node:crypto';
import {
  type Account,
  type Banking,
  type DomainEvent,
  type LedgerEntry,
  type UnitOfWork,
} from '@banking/domain';
import type { Test } from 'tap';
import { bankOn } from '../../banking-fixture.js';
import { first, settle, using } from '../support.js';
import type { OpenStore } from './store-harness.js';

async function customer(bank: Banking): Promise<string> {
  const user = await bank.registerUser.execute({ email: `e-${randomUUID()}@example.test`, password: 'correct horse battery', fullName: 'Events' });
  return user.id;
}

const eventsOf = (uow: UnitOfWork, accountId: string) => uow.read((store) => store.outbox.listByAccount(accountId));

/** What a committed change must have told: one event, of this type, about this value, to its owner. */
function told(type: DomainEvent['type'], payload: Account | LedgerEntry, ownerId: string) {
  const accountId = 'accountId' in payload ? payload.accountId : payload.id;
  const sequence = 'sequence' in payload ? payload.sequence : payload.version;
  return { type, version: 1, accountId, sequence, ownerId, payload };
}

/**
 * The outbox, through the bank's own use cases on this store: every committed change has exactly
 * one event, written with it; nothing that rolled back has one; one account's events come out in
 * commit order, also when movements on it race.
 */
export async function eventCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('events: every committed change has exactly one event, to its account’s owner; a transfer has one per account', (t) =>
    using(open, async ({ uow }) => {
      const bank = bankOn(uow);
      const alice = await customer(bank);
      const bob = await customer(bank);
      const opened = await bank.openAccount.execute({ userId: alice, type: 'COURANT' });
      const payee = await bank.openAccount.execute({ userId: bob, type: 'EPARGNE' });
      const deposit = (await bank.postTransaction.execute({ userId: alice, accountId: opened.id, type: 'DEPOT', amount: '100.00' })).value;
      const withdrawal = (await bank.postTransaction.execute({ userId: alice, accountId: opened.id, type: 'RETRAIT', amount: '10.00', idempotencyKey: `k-${randomUUID()}` })).value;
      const transfer = (await bank.transferMoney.execute({ userId: alice, fromAccountId: opened.id, toAccountNumber: payee.number, amount: '25.50' })).value;
      const debit = first((await bank.listTransactions.execute({ userId: alice, accountId: opened.id, pageSize: 1 })).items);
      const credit = first((await bank.listTransactions.execute({ userId: bob, accountId: payee.id, pageSize: 1 })).items);
      const frozen = await bank.freezeAccount.execute({ userId: bob, accountId: payee.id });
      const unfrozen = await bank.unfreezeAccount.execute({ userId: bob, accountId: payee.id });
      await bank.transferMoney.execute({ userId: bob, fromAccountId: payee.id, toAccountNumber: opened.number, amount: '25.50' });
      const back = first((await bank.listTransactions.execute({ userId: bob, accountId: payee.id, pageSize: 1 })).items);
      const emptied = (await bank.postTransaction.execute({ userId: alice, accountId: opened.id, type: 'RETRAIT', amount: '90.00' })).value;
      const returned = first((await bank.listTransactions.execute({ userId: alice, accountId: opened.id, page: 2, pageSize: 1 })).items);
      const closed = await bank.closeAccount.execute({ userId: alice, accountId: opened.id });

      t.equal(debit.transferId, transfer.id, 'the debit line');
      t.equal(credit.transferId, transfer.id, 'the credit line');
      const mine = await eventsOf(uow, opened.id);
      t.match(mine, [
        told('bank.account.opened', opened, alice),
        told('bank.transaction.posted', deposit, alice),
        told('bank.transaction.posted', withdrawal, alice),
        told('bank.transaction.posted', debit, alice),
        told('bank.transaction.posted', returned, alice),
        told('bank.transaction.posted', emptied, alice),
        told('bank.account.closed', closed, alice),
      ]);
      t.equal(mine.length, 7, 'one per change, nothing else');
      t.same(
        mine.map((e) => e.sequence),
        [1, 2, 3, 4, 5, 6, 7],
        'each event is one version of the account: a gapless sequence in commit order',
      );
      const theirs = await eventsOf(uow, payee.id);
      t.match(theirs, [
        told('bank.account.opened', payee, bob),
        told('bank.transaction.posted', credit, bob),
        told('bank.account.frozen', frozen, bob),
        told('bank.account.unfrozen', unfrozen, bob),
        told('bank.transaction.posted', back, bob),
      ]);
      t.equal(theirs.length, 5);
      t.equal(new Set([...mine, ...theirs].map((e) => e.id)).size, 12, 'every event has its own id');
      for (const event of [...mine, ...theirs]) t.equal(event.occurredAt, 'updatedAt' in event.payload ? event.payload.updatedAt : event.payload.createdAt);
    }),
  );

  await t.test('events: nothing refused or rolled back has one; a replay adds none', (t) =>
    using(open, async ({ uow }) => {
      const bank = bankOn(uow);
      const alice = await customer(bank);
      const account = await bank.openAccount.execute({ userId: alice, type: 'COURANT' });
      const other = await bank.openAccount.execute({ userId: alice, type: 'EPARGNE' });
      const key = `k-${randomUUID()}`;
      const command = { userId: alice, accountId: account.id, type: 'DEPOT', amount: '5.00', idempotencyKey: key };
      await bank.postTransaction.execute(command);
      const before = await eventsOf(uow, account.id);
      t.equal(before.length, 2, 'opened, deposited');

      const refusals = await Promise.all([
        settle(bank.postTransaction.execute({ userId: alice, accountId: account.id, type: 'RETRAIT', amount: '6.00' })),
        settle(bank.postTransaction.execute({ userId: alice, accountId: account.id, type: 'RETRAIT', amount: '6.00', idempotencyKey: `k-${randomUUID()}` })),
        settle(bank.transferMoney.execute({ userId: alice, fromAccountId: account.id, toAccountNumber: other.number, amount: '6.00' })),
        settle(bank.unfreezeAccount.execute({ userId: alice, accountId: account.id })),
        settle(bank.closeAccount.execute({ userId: alice, accountId: account.id })),
        settle(bank.postTransaction.execute(command)),
      ]);
      t.same(
        refusals.map((r) => (r.ok ? (r.value as { replayed?: boolean }).replayed : (r.error as { code?: string }).code)),
        ['insufficient_funds', 'insufficient_funds', 'insufficient_funds', 'account_not_frozen', 'balance_not_zero', true],
        'refused (one with its refusal recorded under a key), and a replay',
      );
      t.same(await eventsOf(uow, account.id), before, 'no new event about the account');
      t.match(await eventsOf(uow, other.id), [{ type: 'bank.account.opened', sequence: 1 }], 'the other account has only its opening');
      t.equal((await eventsOf(uow, other.id)).length, 1);
    }),
  );

  await t.test('events: one account’s events come out in commit order, also when movements on it race', (t) =>
    using(open, async ({ uow }) => {
      const bank = bankOn(uow);
      const alice = await customer(bank);
      const bob = await customer(bank);
      const account = await bank.openAccount.execute({ userId: alice, type: 'COURANT' });
      const source = await bank.openAccount.execute({ userId: bob, type: 'COURANT' });
      await bank.postTransaction.execute({ userId: bob, accountId: source.id, type: 'DEPOT', amount: '1000' });
      // Deposits, withdrawals and transfers in, all at once on one account.
      const outcomes = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          settle<unknown>(
            i % 3 === 0
              ? bank.transferMoney.execute({ userId: bob, fromAccountId: source.id, toAccountNumber: account.number, amount: `${i + 1}` })
              : i % 3 === 1
                ? bank.postTransaction.execute({ userId: alice, accountId: account.id, type: 'DEPOT', amount: `${i + 1}` })
                : bank.postTransaction.execute({ userId: alice, accountId: account.id, type: 'RETRAIT', amount: '1' }),
          ),
        ),
      );
      const committed = outcomes.filter((o) => o.ok).length;
      t.ok(committed >= 16, `movements committed (${committed} of 24; withdrawals may find the account empty)`);
      const events = await eventsOf(uow, account.id);
      t.equal(events.length, 1 + committed, 'the opening and one per committed movement');
      t.same(
        events.map((e) => e.sequence),
        Array.from({ length: events.length }, (_, i) => i + 1),
        'in sequence order, gapless',
      );
      // Commit order is the order of the balance chain: each line starts from the balance the previous one left.
      let balance = 0;
      const chain: string[] = [];
      for (const event of events.slice(1)) {
        const line = event.payload as LedgerEntry;
        const expected = balance + (line.direction === 'CREDIT' ? line.amount : -line.amount);
        if (line.balanceAfter !== expected || line.sequence !== event.sequence) chain.push(`#${event.sequence}: ${line.balanceAfter} after ${balance}`);
        balance = line.balanceAfter;
      }
      t.same(chain, [], 'each event’s line follows the one before it');
      const final = await uow.read((store) => store.accounts.findById(account.id));
      t.equal(final?.balance, balance, 'and the last one left the balance the account has');
      t.equal(final?.version, events.at(-1)?.sequence, 'at the account’s version');
    }),
  );
}
