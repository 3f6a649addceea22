import { MemoryDenylist } from '@banking/adapters-memory';
import { createHash } from 'node:crypto';
import t from 'tap';
import * as domain from '@banking/domain';
import { DomainError, ValidationFailed } from '@banking/domain';

import { bank, PASSWORD, UNKNOWN_ID } from './support/bank.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

t.test('registerUser', async (t) => {
  t.test('stores a normalised user and returns it without the password', async (t) => {
    const b = bank();
    const now = b.clock.now().toISOString();
    const profile = await b.banking.registerUser.execute({
      email: '  Jean.Dupont@Example.COM ',
      password: 'password123',
      fullName: '  Jean Dupont ',
    });
    t.match(profile, { email: 'jean.dupont@example.com', fullName: 'Jean Dupont', createdAt: now });
    t.match(profile.id, /^[0-9a-f-]{36}$/);
    t.notOk('passwordHash' in profile, 'no hash in the profile');
    t.equal(b.state().users.get(profile.id)?.passwordHash, 'plain:password123', 'stored through the hasher');
    t.same(await b.banking.getProfile.execute(profile.id), profile);
  });

  t.test('password length is 8 to 128 characters, counted in code points', async (t) => {
    const b = bank();
    const register = (password: string, email: string) =>
      b.banking.registerUser.execute({ email, password, fullName: 'P' });
    await t.rejects(register('x'.repeat(7), 'p7@example.com'), { code: 'validation_failed', errors: [{ field: 'password' }] });
    await t.rejects(register('x'.repeat(129), 'p129@example.com'), { code: 'validation_failed', errors: [{ field: 'password' }] });
    await t.rejects(register('🔑'.repeat(7), 'emoji7@example.com'), { errors: [{ field: 'password' }] }, '7 emoji are 14 UTF-16 units but 7 characters');
    await t.resolves(register('x'.repeat(8), 'p8@example.com'));
    await t.resolves(register('x'.repeat(128), 'p128@example.com'));
    await t.resolves(register('🔑'.repeat(128), 'emoji128@example.com'));
    t.equal(b.state().users.size, 3);
  });

  t.test('email and full name are validated, every field error at once', async (t) => {
    const b = bank();
    for (const email of ['', 'plain', 'a@b', 'a b@example.com', '@example.com', 'a@@example.com', `${'x'.repeat(250)}@example.com`]) {
      await t.rejects(
        b.banking.registerUser.execute({ email, password: PASSWORD, fullName: 'Ok' }),
        { code: 'validation_failed', errors: [{ field: 'email' }] },
        `email ${JSON.stringify(email.slice(0, 20))}`,
      );
    }
    for (const fullName of ['', '   ', 'x'.repeat(256)]) {
      await t.rejects(
        b.banking.registerUser.execute({ email: 'ok@example.com', password: PASSWORD, fullName }),
        { code: 'validation_failed', errors: [{ field: 'full_name' }] },
      );
    }
    // Lone surrogates: UTF-8 (PostgreSQL) cannot hold them; they would be stored as U+FFFD.
    for (const [field, command] of [
      ['email', { email: 'a\ud800@example.com', password: PASSWORD, fullName: 'Ok' }],
      ['password', { email: 'ok@example.com', password: `${PASSWORD}\udfff`, fullName: 'Ok' }],
      ['full_name', { email: 'ok@example.com', password: PASSWORD, fullName: 'Jean \ud83d' }],
    ] as const) {
      await t.rejects(b.banking.registerUser.execute(command), { code: 'validation_failed', errors: [{ field }] }, `lone surrogate in ${field}`);
    }
    await t.resolves(b.banking.registerUser.execute({ email: 'ok@example.com', password: PASSWORD, fullName: 'x'.repeat(255) }));
    const all = await b.banking.registerUser.execute({ email: 'bad', password: 'short', fullName: ' ' }).catch((e: unknown) => e);
    t.type(all, ValidationFailed);
    t.same((all as ValidationFailed).errors.map((e) => e.field), ['email', 'password', 'full_name']);
    t.equal(b.state().users.size, 1, 'refusals store nothing');
  });

  t.test('email_taken ignores case and surrounding whitespace', async (t) => {
    const b = bank();
    await b.banking.registerUser.execute({ email: 'taken@example.com', password: PASSWORD, fullName: 'First' });
    for (const email of ['taken@example.com', ' TAKEN@Example.com ', 'Taken@EXAMPLE.COM\t']) {
      await t.rejects(b.banking.registerUser.execute({ email, password: 'another password', fullName: 'Second' }), {
        code: 'email_taken',
        name: 'EmailTaken',
      });
    }
    t.equal(b.state().users.size, 1);
  });

  t.test('getProfile of an unknown user is not_found', async (t) => {
    const b = bank();
    await t.rejects(b.banking.getProfile.execute(UNKNOWN_ID), { code: 'not_found', name: 'UserNotFound' });
    await t.rejects(b.banking.getProfile.execute('nope'), { code: 'not_found' });
  });
});

t.test('login', async (t) => {
  t.test('opens a session whose refresh token is stored only as a digest', async (t) => {
    const b = bank();
    const user = await b.banking.registerUser.execute({ email: 'me@example.com', password: PASSWORD, fullName: 'Me' });
    const session = await b.banking.login.execute({ email: ' ME@example.com ', password: PASSWORD });
    t.equal(session.userId, user.id);
    t.match(session.sessionId, /^[0-9a-f-]{36}$/);
    t.ok(session.refreshToken.length >= 43, 'a long opaque secret');
    t.equal(session.refreshTokenExpiresAt, new Date(b.clock.now().getTime() + 7 * DAY).toISOString());
    const digest = createHash('sha256').update(session.refreshToken).digest('hex');
    t.match(b.state().tokens.get(digest), { sessionId: session.sessionId, parentDigest: null, rotatedAt: null });
    t.notMatch(JSON.stringify([...b.state().tokens.values()]), session.refreshToken, 'the secret itself is not stored');
    t.match(b.state().sessions.get(session.sessionId), { userId: user.id, revokedAt: null });
    const second = await b.banking.login.execute({ email: 'me@example.com', password: PASSWORD });
    t.not(second.sessionId, session.sessionId, 'each login is its own session');
  });

  t.test('an unknown email and a wrong password get the same invalid_credentials', async (t) => {
    const b = bank();
    await b.banking.registerUser.execute({ email: 'me@example.com', password: PASSWORD, fullName: 'Me' });
    const unknown = await b.banking.login.execute({ email: 'nobody@example.com', password: PASSWORD }).catch((e: unknown) => e);
    const wrong = await b.banking.login.execute({ email: 'me@example.com', password: 'wrong password' }).catch((e: unknown) => e);
    const empty = await b.banking.login.execute({ email: '', password: '' }).catch((e: unknown) => e);
    for (const error of [unknown, wrong, empty]) t.match(error, { code: 'invalid_credentials', name: 'InvalidCredentials' });
    t.equal((unknown as Error).message, (wrong as Error).message);
    t.equal(b.state().sessions.size, 0, 'no session opened');
  });
});

t.test('refreshSession', async (t) => {
  t.test('rotates: a new token for the same session, the old one stops working', async (t) => {
    const b = bank();
    const { session } = await b.customer();
    b.clock.advance(HOUR);
    const next = await b.banking.refreshSession.execute(session.refreshToken);
    t.equal(next.sessionId, session.sessionId);
    t.equal(next.userId, session.userId);
    t.not(next.refreshToken, session.refreshToken);
    t.equal(next.refreshTokenExpiresAt, new Date(b.clock.now().getTime() + 7 * DAY).toISOString(), 'expiry counted from the refresh');
    const third = await b.banking.refreshSession.execute(next.refreshToken);
    t.equal(third.sessionId, session.sessionId, 'the newest token rotates again');
    await t.rejects(b.banking.refreshSession.execute(next.refreshToken), { code: 'token_revoked', name: 'TokenRevoked' });
  });

  t.test('reuse of a rotated token revokes the whole session', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const other = await b.banking.login.execute({ email: alice.profile.email, password: PASSWORD });
    const next = await b.banking.refreshSession.execute(alice.session.refreshToken);
    await t.resolves(b.banking.checkAccess.execute(alice.session.sessionId), 'access still fine before reuse');
    await t.rejects(b.banking.refreshSession.execute(alice.session.refreshToken), { code: 'token_revoked' }, 'the reuse');
    await t.rejects(b.banking.refreshSession.execute(next.refreshToken), { code: 'token_revoked' }, 'even the newest token');
    await t.rejects(b.banking.checkAccess.execute(alice.session.sessionId), { code: 'token_revoked' }, 'access tokens refused');
    t.not(b.state().sessions.get(alice.session.sessionId)?.revokedAt, null, 'the revocation is stored');
    await t.resolves(b.banking.refreshSession.execute(other.refreshToken), 'another login of the same user is untouched');
    await t.resolves(b.banking.checkAccess.execute(other.sessionId));
  });

  t.test('unknown, malformed and expired tokens are invalid_token', async (t) => {
    const b = bank();
    const { session, profile } = await b.customer();
    for (const token of ['', 'garbage', session.refreshToken + 'x']) {
      await t.rejects(b.banking.refreshSession.execute(token), { code: 'invalid_token', name: 'InvalidRefreshToken' });
    }
    const late = await b.banking.login.execute({ email: profile.email, password: PASSWORD });
    b.clock.advance(7 * DAY - 1);
    const fresh = await b.banking.refreshSession.execute(session.refreshToken);
    t.ok(fresh.refreshToken, 'still valid 1 ms before expiry');
    b.clock.advance(1);
    await t.rejects(b.banking.refreshSession.execute(late.refreshToken), { code: 'invalid_token' }, 'expired at exactly 7 days');
    b.clock.advance(7 * DAY);
    await t.rejects(b.banking.refreshSession.execute(fresh.refreshToken), { code: 'invalid_token' });
  });
});

t.test('logout and checkAccess', async (t) => {
  t.test('logout revokes the session: its refresh tokens and access tokens are refused', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const other = await b.banking.login.execute({ email: alice.profile.email, password: PASSWORD });
    await b.banking.logout.execute({ userId: alice.id, sessionId: alice.session.sessionId });
    await t.rejects(b.banking.checkAccess.execute(alice.session.sessionId), { code: 'token_revoked' });
    await t.rejects(b.banking.refreshSession.execute(alice.session.refreshToken), { code: 'token_revoked' });
    await t.resolves(b.banking.checkAccess.execute(other.sessionId), 'other sessions live on');
    await t.resolves(b.banking.refreshSession.execute(other.refreshToken));
    await t.resolves(b.banking.logout.execute({ userId: alice.id, sessionId: alice.session.sessionId }), 'logging out twice is fine');
  });

  t.test('logout with a refresh token also ends that token’s session, if it is the caller’s', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const bob = await b.customer();
    const aliceTablet = await b.banking.login.execute({ email: alice.profile.email, password: PASSWORD });
    await b.banking.logout.execute({ userId: alice.id, sessionId: alice.session.sessionId, refreshToken: aliceTablet.refreshToken });
    await t.rejects(b.banking.checkAccess.execute(aliceTablet.sessionId), { code: 'token_revoked' });
    await t.rejects(b.banking.refreshSession.execute(aliceTablet.refreshToken), { code: 'token_revoked' });

    // Alice cannot end Bob's session, by his session id or by his refresh token.
    const alice2 = await b.banking.login.execute({ email: alice.profile.email, password: PASSWORD });
    await b.banking.logout.execute({ userId: alice.id, sessionId: bob.session.sessionId, refreshToken: bob.session.refreshToken });
    await t.resolves(b.banking.checkAccess.execute(bob.session.sessionId));
    await t.resolves(b.banking.refreshSession.execute(bob.session.refreshToken));
    await t.resolves(b.banking.checkAccess.execute(alice2.sessionId));
    await t.resolves(b.banking.logout.execute({ userId: alice.id, sessionId: alice2.sessionId, refreshToken: 'unknown' }));
    await t.rejects(b.banking.checkAccess.execute(alice2.sessionId), { code: 'token_revoked' });
  });

  t.test('the denial lasts as long as an access token can', async (t) => {
    const b = bank();
    const alice = await b.customer();
    await b.banking.logout.execute({ userId: alice.id, sessionId: alice.session.sessionId });
    b.clock.advance(30 * 60 * 1000 - 1);
    await t.rejects(b.banking.checkAccess.execute(alice.session.sessionId), { code: 'token_revoked' });
    b.clock.advance(1);
    await t.resolves(b.banking.checkAccess.execute(alice.session.sessionId), 'every access token of it has expired by now');
    await t.rejects(b.banking.refreshSession.execute(alice.session.refreshToken), { code: 'token_revoked' }, 'the session stays ended');
  });

  t.test('restoreDenylist re-denies recently revoked sessions into a fresh denylist', async (t) => {
    const b = bank();
    const alice = await b.customer();
    const bob = await b.customer();
    const carol = await b.customer();
    await b.banking.logout.execute({ userId: alice.id, sessionId: alice.session.sessionId }); // t0
    b.clock.advance(20 * 60 * 1000);
    await b.banking.refreshSession.execute(bob.session.refreshToken);
    await t.rejects(b.banking.refreshSession.execute(bob.session.refreshToken), { code: 'token_revoked' }); // t20: reuse
    b.clock.advance(15 * 60 * 1000); // t35: Alice's access tokens have all expired, Bob's have not

    // A restart: same database, empty denylist.
    const denylist = new MemoryDenylist(() => b.clock.now().getTime());
    const restarted = domain.createBanking({ ...b.deps, denylist });
    await t.resolves(restarted.checkAccess.execute(bob.session.sessionId), 'an empty denylist forgets');
    t.equal(await restarted.restoreDenylist.execute(), 1, 'only sessions revoked within an access-token lifetime');
    await t.rejects(restarted.checkAccess.execute(bob.session.sessionId), { code: 'token_revoked' });
    await t.resolves(restarted.checkAccess.execute(carol.session.sessionId));
    b.clock.advance(15 * 60 * 1000 - 1);
    await t.rejects(restarted.checkAccess.execute(bob.session.sessionId), { code: 'token_revoked' }, 'denied until 30 min after its revocation');
    b.clock.advance(1);
    await t.resolves(restarted.checkAccess.execute(bob.session.sessionId));
    b.clock.advance(1);
    t.equal(await restarted.restoreDenylist.execute(), 0, 'nothing left to restore');
  });
});

t.test('every DomainError has a stable snake_case code and its class name', async (t) => {
  // The contract's codes; changing one breaks clients, so it must change here too.
  const expected: Record<string, [string, () => DomainError]> = {
    ValidationFailed: ['validation_failed', () => new domain.ValidationFailed([{ field: 'x', message: 'y' }])],
    AccountNotFound: ['not_found', () => new domain.AccountNotFound()],
    TransferNotFound: ['not_found', () => new domain.TransferNotFound()],
    UserNotFound: ['not_found', () => new domain.UserNotFound()],
    EmailTaken: ['email_taken', () => new domain.EmailTaken()],
    InvalidCredentials: ['invalid_credentials', () => new domain.InvalidCredentials()],
    InvalidRefreshToken: ['invalid_token', () => new domain.InvalidRefreshToken()],
    TokenRevoked: ['token_revoked', () => new domain.TokenRevoked()],
    InsufficientFunds: ['insufficient_funds', () => new domain.InsufficientFunds('1.5', 'HTG')],
    AccountFrozen: ['account_frozen', () => new domain.AccountFrozen('000000000001')],
    AccountClosed: ['account_closed', () => new domain.AccountClosed('000000000001')],
    AccountNotFrozen: ['account_not_frozen', () => new domain.AccountNotFrozen('000000000001')],
    AccountLimitReached: ['account_limit_reached', () => new domain.AccountLimitReached(5)],
    CurrencyMismatch: ['currency_mismatch', () => new domain.CurrencyMismatch('HTG', 'USD')],
    SameAccountTransfer: ['same_account', () => new domain.SameAccountTransfer()],
    BalanceNotZero: ['balance_not_zero', () => new domain.BalanceNotZero('1', 'HTG')],
    BalanceLimitExceeded: ['balance_limit_exceeded', () => new domain.BalanceLimitExceeded()],
    IdempotencyKeyReused: ['idempotency_key_reused', () => new domain.IdempotencyKeyReused()],
    IdempotencyInProgress: ['idempotency_in_progress', () => new domain.IdempotencyInProgress()],
    ReplayedRefusal: ['insufficient_funds', () => new domain.ReplayedRefusal('insufficient_funds', 'm')],
    StoreUnavailable: ['service_unavailable', () => new domain.StoreUnavailable('The database is unavailable.')],
  };
  const exported = Object.entries(domain).filter(
    ([, value]) => typeof value === 'function' && value.prototype instanceof DomainError,
  );
  t.same(exported.map(([name]) => name).sort(), Object.keys(expected).sort(), 'every exported DomainError subclass is listed');
  for (const [exportName, value] of exported) {
    const entry = expected[exportName];
    if (entry === undefined) continue;
    const [code, make] = entry;
    const error = make();
    t.type(error, value as new (...args: never[]) => unknown, `${exportName} instance`);
    t.type(error, Error);
    t.equal(error.name, exportName, `${exportName}.name`);
    t.equal((value as { name: string }).name, exportName, 'class name = export name');
    t.equal(error.code, code, `${exportName}.code`);
    t.match(error.code, /^[a-z]+(?:_[a-z]+)*$/, 'snake_case');
    t.ok(error.message.length > 0, 'a human message');
    t.not(error.stack, undefined);
  }
  t.match(new domain.InsufficientFunds('10.5', 'HTG').message, /available balance is 10\.5 HTG/);
  t.same(new domain.ReplayedRefusal('validation_failed', 'm', [{ field: 'amount', message: 'x' }]).errors, [{ field: 'amount', message: 'x' }]);
  t.same(domain.ValidationFailed.field('amount', 'bad').errors, [{ field: 'amount', message: 'bad' }]);
});

t.test('checkSession: an access token is good only while its session is live in the store', async (t) => {
  const b = bank();
  const alice = await b.customer();
  const bob = await b.customer();
  const check = (sessionId: string, userId: string) => b.banking.checkSession.execute({ sessionId, userId });
  await t.resolves(check(alice.session.sessionId, alice.id), 'a live session of the token’s user');
  await t.rejects(check(alice.session.sessionId, bob.id), { code: 'token_revoked' }, 'another user’s session');
  await t.rejects(check(UNKNOWN_ID, alice.id), { code: 'token_revoked' }, 'a session that does not exist');
  // The user deleted behind the API's back (sessions go with the user: foreign keys).
  b.state().sessions.delete(bob.session.sessionId);
  b.state().users.delete(bob.id);
  await t.rejects(check(bob.session.sessionId, bob.id), { code: 'token_revoked' }, 'a deleted user’s session');
  await b.banking.logout.execute({ userId: alice.id, sessionId: alice.session.sessionId });
  b.clock.advance(DAY);
  await t.rejects(check(alice.session.sessionId, alice.id), { code: 'token_revoked' }, 'a revoked session, long after the denylist forgot it');
});
