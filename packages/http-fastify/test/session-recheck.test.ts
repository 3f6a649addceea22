import t from 'tap';
import { LiveSessionMemo } from '../src/plugins/live-session-memo.js';
import { API, json, signUp, testApp, type Client } from './app-harness.js';

/** The session id of an access token (its payload read without verifying: the test made it). */
function sessionOf(client: Client): string {
  const payload = client.accessToken.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).sid;
}

await t.test('LiveSessionMemo: trusts a live session for its TTL, then reads again', async (t) => {
  // lru-cache reads a start time of 0 as 'no TTL': the fake clock starts later.
  let now = 10_000;
  const memo = new LiveSessionMemo(1000, { clock: { now: () => now } });
  let reads = 0;
  const live = () => {
    reads += 1;
    return Promise.resolve();
  };
  await memo.check('s1', 'u1', live);
  await memo.check('s1', 'u1', live);
  now = 10_999;
  await memo.check('s1', 'u1', live);
  t.equal(reads, 1, 'one read within the TTL');
  now = 11_001;
  await memo.check('s1', 'u1', live);
  t.equal(reads, 2, 'read again once the TTL has lapsed');
  await memo.check('s1', 'u2', live);
  t.equal(reads, 3, 'the same session named with another user is read, not trusted');

  const refused = new Error('not live');
  let failing = 0;
  const dead = () => {
    failing += 1;
    return Promise.reject(refused);
  };
  await t.rejects(memo.check('s2', 'u1', dead), refused);
  await t.rejects(memo.check('s2', 'u1', dead), refused, 'a refusal is never remembered');
  t.equal(failing, 2);

  const never = new LiveSessionMemo(0);
  let everyTime = 0;
  for (let i = 0; i < 3; i++) await never.check('s1', 'u1', () => Promise.resolve(void (everyTime += 1)));
  t.equal(everyTime, 3, 'TTL 0: a read on every check');
});

await t.test('SESSION_RECHECK_MS=0: a session revoked behind the API\'s back is refused on the next request', async (t) => {
  const { app, bank } = await testApp({ config: { SESSION_RECHECK_MS: '0' } });
  t.teardown(() => app.close());
  const alice = await signUp(app);
  t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: alice.headers })).statusCode, 200);
  // A revocation that does not go through the API: the row changes, the denylist does not.
  await bank.deps.uow.run((tx) => tx.sessions.revoke(sessionOf(alice), bank.clock.now().toISOString()));
  const me = await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: alice.headers });
  t.equal(me.statusCode, 401);
  t.equal(json(me).code, 'token_revoked');
});

await t.test('with a recheck interval, the row is trusted for its length, but a logout through the API is refused at once', async (t) => {
  const { app, bank } = await testApp({ config: { SESSION_RECHECK_MS: '60000' } });
  t.teardown(() => app.close());
  const bob = await signUp(app);
  t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: bob.headers })).statusCode, 200, 'read as live once');
  await bank.deps.uow.run((tx) => tx.sessions.revoke(sessionOf(bob), bank.clock.now().toISOString()));
  t.equal(
    (await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: bob.headers })).statusCode,
    200,
    'a change behind the API\'s back waits for the interval (the documented trade-off)',
  );

  const carol = await signUp(app);
  t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: carol.headers })).statusCode, 200, 'read as live once');
  t.equal((await app.inject({ method: 'POST', url: `${API}/auth/logout`, headers: carol.headers })).statusCode, 204);
  const after = await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: carol.headers });
  t.equal(after.statusCode, 401, 'logout is refused at once: the denylist is read on every request');
  t.equal(json(after).code, 'token_revoked');

  const never = await signUp(app);
  await bank.deps.uow.run((tx) => tx.sessions.revoke(sessionOf(never), bank.clock.now().toISOString()));
  t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: never.headers })).statusCode, 401, 'a session never read as live is read, and refused');
});
