import type { IdempotencyRecord, Timestamp, UnitOfWork } from '@banking/domain';
import type { Test } from 'tap';
import { anIdempotencyRecord } from '../../builders.js';
import { delay, instants, settle, using } from '../support.js';
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

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

/** Whether a row is stored under the record's (user, key), expired or not. */
async function stored(uow: UnitOfWork, record: IdempotencyRecord): Promise<IdempotencyRecord | undefined> {
  return uow.run((tx) => tx.idempotency.find(record.userId, record.key, record.createdAt));
}

const deleteExpired = (uow: UnitOfWork, now: Timestamp, createdBy: Timestamp, limit = 100) =>
  uow.run((tx) => tx.idempotency.deleteExpired(now, createdBy, limit));

/**
 * Deletes whatever earlier subtests left that is already sweepable at `now`, so that the counts
 * that follow are this subtest's alone (the store may be shared; subtests run one at a time).
 */
async function sweptClean(uow: UnitOfWork, now: Timestamp, createdBy: Timestamp): Promise<void> {
  while ((await deleteExpired(uow, now, createdBy, 1000)) > 0);
}

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

  await t.test('idempotency: deleteExpired removes the records that expired and are old enough, and only those', (t) =>
    using(open, async ({ uow }) => {
      const user = await givenUser(uow);
      const at = instants(Date.UTC(2003, 5, 10, 12));
      const now = at(0);
      const createdBy = at(-DAY);
      await sweptClean(uow, now, createdBy);
      const record = (createdAt: Timestamp, expiresAt: Timestamp) => anIdempotencyRecord({ userId: user.id, createdAt, expiresAt });
      const old = record(at(-2 * DAY), at(-DAY));
      const onTheLimits = record(createdBy, now);
      const young = record(at(-HOUR), at(DAY - HOUR));
      const oldButUnexpired = record(at(-DAY - 1), at(1)); // recorded under a longer retention
      const expiredButYoung = record(at(-DAY + 1), at(-HOUR)); // recorded under a shorter one
      const all = [old, onTheLimits, young, oldButUnexpired, expiredButYoung];
      for (const r of all) await recorded(uow, { idempotencyRecord: r });
      t.equal(await deleteExpired(uow, now, createdBy), 2, 'two deleted');
      t.equal(await stored(uow, old), undefined, 'expired a day ago and two days old: deleted');
      t.equal(await stored(uow, onTheLimits), undefined, 'expiring at now, created at the cut-off: deleted');
      t.same(await stored(uow, young), young, 'an hour old: kept');
      t.same(await stored(uow, oldButUnexpired), oldButUnexpired, 'old enough but still replayable: kept');
      t.same(await stored(uow, expiredButYoung), expiredButYoung, 'expired but younger than the retention: kept');
      t.equal(await deleteExpired(uow, now, createdBy), 0, 'nothing more to delete');
    }),
  );

  await t.test('idempotency: deleteExpired deletes at most `limit` records per call', (t) =>
    using(open, async ({ uow }) => {
      const user = await givenUser(uow);
      const at = instants(Date.UTC(2002, 5, 10, 12));
      const now = at(0);
      const createdBy = at(-DAY);
      await sweptClean(uow, now, createdBy);
      const records = Array.from({ length: 5 }, (_, i) => anIdempotencyRecord({ userId: user.id, createdAt: at(-3 * DAY + i), expiresAt: at(-2 * DAY + i) }));
      for (const r of records) await recorded(uow, { idempotencyRecord: r });
      const counts = [];
      for (let i = 0; i < 4; i++) counts.push(await deleteExpired(uow, now, createdBy, 2));
      t.same(counts, [2, 2, 1, 0]);
      for (const r of records) t.equal(await stored(uow, r), undefined, `${r.key} deleted`);
    }),
  );

  await t.test('idempotency: a key whose record was deleted is new again', (t) =>
    using(open, async ({ uow }) => {
      const user = await givenUser(uow);
      const at = instants(Date.UTC(2001, 5, 10, 12));
      const first = anIdempotencyRecord({ userId: user.id, createdAt: at(-2 * DAY), expiresAt: at(-DAY) });
      await recorded(uow, { idempotencyRecord: first });
      await deleteExpired(uow, at(0), at(-DAY));
      t.equal(await stored(uow, first), undefined, 'deleted');
      const second = anIdempotencyRecord({ userId: user.id, key: first.key, fingerprint: 'another operation', createdAt: at(0), expiresAt: at(DAY) });
      await uow.run(async (tx) => {
        t.equal(await tx.idempotency.claim(user.id, first.key), true);
        t.equal(await tx.idempotency.find(user.id, first.key, second.createdAt), undefined, 'nothing recorded under the key');
        await tx.movements.record({ idempotencyRecord: second, events: [] });
      });
      t.same(await uow.run((tx) => tx.idempotency.find(user.id, first.key, second.createdAt)), second, 'the key holds the new record');
    }),
  );

  await t.test('idempotency: a sweep racing a unit of work that reuses an expired key neither fails nor loses the new record', (t) =>
    using(open, async ({ uow }) => {
      const user = await givenUser(uow);
      const at = instants(Date.UTC(2000, 5, 10, 12));
      const now = at(0);
      const createdBy = at(-DAY);
      await sweptClean(uow, now, createdBy);
      const reused = anIdempotencyRecord({ userId: user.id, createdAt: at(-2 * DAY), expiresAt: at(-DAY) });
      const other = anIdempotencyRecord({ userId: user.id, createdAt: at(-2 * DAY), expiresAt: at(-DAY) });
      await recorded(uow, { idempotencyRecord: reused });
      await recorded(uow, { idempotencyRecord: other });
      const renewed = anIdempotencyRecord({ userId: user.id, key: reused.key, fingerprint: 'the retry', createdAt: now, expiresAt: at(DAY) });
      let holding = () => {};
      const held = new Promise<void>((resolve) => (holding = resolve));
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      const replacing = uow.run(async (tx) => {
        t.equal(await tx.idempotency.claim(user.id, reused.key), true);
        t.equal(await tx.idempotency.find(user.id, reused.key, now), undefined, 'the old record has expired');
        // The movement (and the record in it) is the unit of work's last write: the sweep runs
        // while the key is claimed and the old row still there.
        holding();
        await released;
        await tx.movements.record({ idempotencyRecord: renewed, events: [] });
      });
      await held;
      const sweeping = settle(deleteExpired(uow, now, createdBy));
      // A store that runs units of work one at a time sweeps after the replacement commits (the
      // old row is gone by then: 1 deleted); one that runs them side by side sweeps now (2).
      await Promise.race([sweeping, delay(200)]);
      release();
      await replacing;
      const swept = await sweeping;
      t.match(swept, { ok: true }, 'the sweep ended without an error');
      t.same(await uow.run((tx) => tx.idempotency.find(user.id, reused.key, now)), renewed, 'the new record under the reused key is there');
      t.equal(await stored(uow, other), undefined);
    }),
  );
}
