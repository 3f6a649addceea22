import type { IdempotencyRecord } from '@banking/domain';
import type { Test } from 'tap';
import { anIdempotencyRecord } from '../../builders.js';
import { delay, settle, using } from '../support.js';
import { givenUser, recorded, type OpenStore } from './store-harness.js';

const NESTED_VALUE = {
  transfer: {
    id: '5b1f3c1e-8f0a-4c3e-9d2b-1a2b3c4d5e6f',
    amount: 123456,
    largest: Number.MAX_SAFE_INTEGER,
    rate: 10.5,
    negative: -3,
    zero: 0,
    description: null,
    accepted: true,
    tags: ['a', 'é', '日本', '🔐', ''],
    nested: { deep: { deeper: [{ n: 1 }, { n: 2, list: [[], {}] }] } },
  },
  quote: 'He said "non" \\ then left',
};

export async function idempotencyCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('idempotency: claim, save and find; outcomes round-trip deeply', (t) =>
    using(open, async ({ uow }) => {
      const user = await givenUser(uow);
      const ok = anIdempotencyRecord({ userId: user.id, outcome: { ok: true, value: NESTED_VALUE } });
      const refused = anIdempotencyRecord({
        userId: user.id,
        fingerprint: JSON.stringify(['withdraw', [['amount', '10.50']]]),
        outcome: {
          ok: false,
          code: 'validation_failed',
          message: 'amount: must be > 0; description: too long',
          errors: [
            { field: 'amount', message: 'must be > 0' },
            { field: 'description', message: 'must be at most 255 characters long' },
          ],
        },
      });
      const bare = anIdempotencyRecord({
        userId: user.id,
        key: '!~"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}',
        outcome: { ok: false, code: 'insufficient_funds', message: 'Insufficient funds: the available balance is 5.00 HTG.', errors: [] },
      });
      for (const record of [ok, refused, bare]) {
        await uow.run(async (tx) => {
          t.equal(await tx.idempotency.claim(user.id, record.key), true, 'claim returns true');
          t.equal(await tx.idempotency.find(user.id, record.key, record.createdAt), undefined, 'nothing recorded yet');
          await tx.movements.record({ idempotencyRecord: record, events: [] });
        });
      }
      await uow.run(async (tx) => {
        for (const record of [ok, refused, bare]) {
          t.equal(await tx.idempotency.claim(user.id, record.key), true, 'claim again in a later unit of work');
          t.same(await tx.idempotency.find(user.id, record.key, record.createdAt), record, `outcome ${record.outcome.ok ? 'ok' : record.outcome.code} round-trips`);
        }
      });
    }),
  );

  await t.test('idempotency: find ignores expired records, and save replaces one', (t) =>
    using(open, async ({ uow }) => {
      const user = await givenUser(uow);
      const record = anIdempotencyRecord({ userId: user.id, createdAt: '2026-03-01T10:00:00.000Z' });
      const expiresAt = record.expiresAt;
      const justBefore = new Date(Date.parse(expiresAt) - 1).toISOString();
      await recorded(uow, { idempotencyRecord: record });
      await uow.run(async (tx) => {
        t.same(await tx.idempotency.find(user.id, record.key, justBefore), record, 'found 1 ms before it expires');
        t.equal(await tx.idempotency.find(user.id, record.key, expiresAt), undefined, 'gone when expiresAt = now');
        t.equal(await tx.idempotency.find(user.id, record.key, '2027-01-01T00:00:00.000Z'), undefined, 'gone after');
      });
      const fresh: IdempotencyRecord = anIdempotencyRecord({
        userId: user.id,
        key: record.key,
        fingerprint: 'another operation',
        outcome: { ok: true, value: { second: true } },
        createdAt: '2026-03-05T10:00:00.000Z',
      });
      await uow.run(async (tx) => {
        t.equal(await tx.idempotency.claim(user.id, record.key), true);
        await tx.movements.record({ idempotencyRecord: fresh, events: [] });
      });
      t.same(await uow.run((tx) => tx.idempotency.find(user.id, record.key, fresh.createdAt)), fresh, 'the new record replaced the expired one');
    }),
  );

  await t.test('idempotency: records are scoped by user', (t) =>
    using(open, async ({ uow }) => {
      const alice = await givenUser(uow);
      const bob = await givenUser(uow);
      const key = 'same-key-for-both';
      const forAlice = anIdempotencyRecord({ userId: alice.id, key, outcome: { ok: true, value: { who: 'alice' } } });
      const forBob = anIdempotencyRecord({ userId: bob.id, key, outcome: { ok: true, value: { who: 'bob' } } });
      await uow.run(async (tx) => {
        t.equal(await tx.idempotency.claim(alice.id, key), true);
        t.equal(await tx.idempotency.claim(bob.id, key), true, 'another user’s claim on the same key is independent');
        await tx.movements.record({ idempotencyRecord: forAlice, events: [] });
      });
      t.equal(await uow.run((tx) => tx.idempotency.find(bob.id, key, forAlice.createdAt)), undefined, 'alice’s record is not bob’s');
      await recorded(uow, { idempotencyRecord: forBob });
      await uow.run(async (tx) => {
        t.same(await tx.idempotency.find(alice.id, key, forAlice.createdAt), forAlice);
        t.same(await tx.idempotency.find(bob.id, key, forBob.createdAt), forBob);
      });
    }),
  );

  await t.test('idempotency: a claim ends with its unit of work, committed or rolled back', (t) =>
    using(open, async ({ uow }) => {
      const user = await givenUser(uow);
      t.equal(await uow.run((tx) => tx.idempotency.claim(user.id, 'k')), true);
      t.equal(await uow.run((tx) => tx.idempotency.claim(user.id, 'k')), true, 'free again after a commit');
      await t.rejects(
        uow.run(async (tx) => {
          await tx.idempotency.claim(user.id, 'k');
          throw new Error('work failed');
        }),
        { message: 'work failed' },
      );
      t.equal(await uow.run((tx) => tx.idempotency.claim(user.id, 'k')), true, 'free again after a rollback');
    }),
  );

  await t.test('idempotency: two concurrent units of work on one (user, key) never both run and save', (t) =>
    using(open, async ({ uow }) => {
      const user = await givenUser(uow);
      const key = 'concurrent-key';
      const attempt = (label: string) =>
        uow.run(async (tx) => {
          const now = new Date().toISOString();
          if (!(await tx.idempotency.claim(user.id, key))) return 'in progress';
          if ((await tx.idempotency.find(user.id, key, now)) !== undefined) return 'replayed';
          await delay(50); // the first still holds the claim while the second arrives
          await tx.movements.record({ idempotencyRecord: anIdempotencyRecord({ userId: user.id, key, outcome: { ok: true, value: { label } }, createdAt: now }), events: [] });
          return 'saved';
        });
      const outcomes = await Promise.all([settle(attempt('first')), settle(attempt('second'))]);
      const answers = outcomes.map((o) => (o.ok ? o.value : `rejected: ${String(o.error)}`));
      t.equal(answers.filter((a) => a === 'saved').length, 1, 'exactly one runs the work and saves');
      t.ok(
        answers.every((a) => a === 'saved' || a === 'in progress' || a === 'replayed'),
        `the other is told "in progress" or replays the record (got ${answers.join(', ')})`,
      );
    }),
  );
}
