import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { aRefreshToken, aSession } from '../../builders.js';
import { instants, using } from '../support.js';
import { givenUser, type OpenStore } from './store-harness.js';

export async function sessionCases(t: Test, open: OpenStore): Promise<void> {
  await t.test('sessions: insert, findById, revoke keeps the first revokedAt', (t) =>
    using(open, async ({ uow }) => {
      const at = instants();
      const user = await givenUser(uow);
      const session = aSession({ userId: user.id, createdAt: at(0) });
      await uow.run((tx) => tx.sessions.insert(session));
      await uow.run(async (tx) => {
        t.same(await tx.sessions.findById(session.id), session);
        t.equal(await tx.sessions.findById(randomUUID()), undefined, 'unknown id');
      });
      await uow.run((tx) => tx.sessions.revoke(session.id, at(1000)));
      t.same(await uow.run((tx) => tx.sessions.findById(session.id)), { ...session, revokedAt: at(1000) }, 'revoked');
      await uow.run((tx) => tx.sessions.revoke(session.id, at(5000)));
      t.same(await uow.run((tx) => tx.sessions.findById(session.id)), { ...session, revokedAt: at(1000) }, 'a second revoke keeps the first time');
    }),
  );

  await t.test('sessions: refresh tokens insert, lock by digest and get marked rotated', (t) =>
    using(open, async ({ uow }) => {
      const at = instants();
      const user = await givenUser(uow);
      const session = aSession({ userId: user.id, createdAt: at(0) });
      const first = aRefreshToken({ sessionId: session.id, issuedAt: at(0) });
      const second = aRefreshToken({ sessionId: session.id, parentDigest: first.digest, issuedAt: at(60_000) });
      await uow.run(async (tx) => {
        await tx.sessions.insert(session);
        await tx.sessions.insertToken(first);
      });
      await uow.run(async (tx) => {
        const locked = await tx.sessions.lockToken(first.digest);
        t.same(locked, first, 'lockToken finds the token by digest');
        await tx.sessions.markRotated(first.digest, at(60_000));
        await tx.sessions.insertToken(second);
      });
      await uow.run(async (tx) => {
        t.same(await tx.sessions.lockToken(first.digest), { ...first, rotatedAt: at(60_000) }, 'rotated, nothing else changed');
        t.same(await tx.sessions.lockToken(second.digest), second, 'the child names its parent');
        t.equal(await tx.sessions.lockToken(aRefreshToken().digest), undefined, 'an unknown digest');
        t.equal(await tx.sessions.lockToken('not a digest'), undefined, 'a malformed digest');
      });
    }),
  );

  await t.test('sessions: listRevokedSince lists sessions revoked at or after the instant', (t) =>
    using(open, async ({ uow }) => {
      const at = instants(Date.UTC(2031, 5, 1)); // far from other tests' instants
      const user = await givenUser(uow);
      const before = aSession({ userId: user.id, createdAt: at(0) });
      const onTheDot = aSession({ userId: user.id, createdAt: at(0) });
      const after = aSession({ userId: user.id, createdAt: at(0) });
      const live = aSession({ userId: user.id, createdAt: at(0) });
      await uow.run(async (tx) => {
        for (const s of [before, onTheDot, after, live]) await tx.sessions.insert(s);
        await tx.sessions.revoke(before.id, at(999));
        await tx.sessions.revoke(onTheDot.id, at(1000));
        await tx.sessions.revoke(after.id, at(2000));
      });
      const listed = await uow.run((tx) => tx.sessions.listRevokedSince(at(1000)));
      const mine = listed.filter((s) => s.userId === user.id).sort((a, b) => (a.revokedAt ?? '').localeCompare(b.revokedAt ?? ''));
      t.same(mine, [
        { ...onTheDot, revokedAt: at(1000) },
        { ...after, revokedAt: at(2000) },
      ]);
    }),
  );
}
