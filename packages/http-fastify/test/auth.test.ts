import { createHmac, randomUUID } from 'node:crypto';
import t from 'tap';
import { API, bearer, json, signUp, TEST_SECRET, testApp, uniqueEmail } from './app-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A JWT made by hand, to forge what the API must refuse. */
function craftJwt(header: object, payload: object, key?: string, hmac = 'sha256'): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${key === undefined ? '' : createHmac(hmac, key).update(input).digest('base64url')}`;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

t.test('auth routes', async (t) => {
  const { app } = await testApp();
  t.teardown(() => app.close());

  await t.test('register: 201 with the user, never the password; the email normalised', async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: `${API}/auth/register`,
      payload: { email: '  New.User@Example.COM ', password: 'password123', full_name: ' Ada Lovelace ' },
    });
    t.equal(response.statusCode, 201);
    const body = json(response);
    t.same(Object.keys(body).sort(), ['created_at', 'email', 'full_name', 'id']);
    t.match(body, { id: UUID, email: 'new.user@example.com', full_name: 'Ada Lovelace' });
    t.notMatch(response.body, /password/);
  });

  await t.test('register: an existing email (any case) → 409 email_taken', async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: `${API}/auth/register`,
      payload: { email: 'NEW.USER@example.com', password: 'password123', full_name: 'Someone Else' },
    });
    t.equal(response.statusCode, 409);
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(json(response), { status: 409, code: 'email_taken', title: String, detail: String, type: String });
  });

  await t.test('register: domain validation → 422 with the fields', async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: `${API}/auth/register`,
      payload: { email: 'not-an-email', password: 'short', full_name: '   ' },
    });
    t.equal(response.statusCode, 422);
    const body = json(response);
    t.equal(body.code, 'validation_failed');
    t.same(body.errors.map((e: { field: string }) => e.field).sort(), ['email', 'full_name', 'password']);
  });

  const alice = await signUp(app);

  await t.test('login: 200 token pair, not cacheable; the access token carries sub, sid, jti, typ, iat, exp', async (t) => {
    const response = await app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: alice.email.toUpperCase(), password: alice.password } });
    t.equal(response.statusCode, 200);
    t.equal(response.headers['cache-control'], 'no-store');
    t.equal(response.headers.pragma, 'no-cache');
    const body = json(response);
    t.match(body, { access_token: String, refresh_token: String, token_type: 'bearer', expires_in: 1800 });
    const header = JSON.parse(Buffer.from(body.access_token.split('.')[0], 'base64url').toString());
    t.equal(header.alg, 'HS256');
    const claims = claimsOf(body.access_token);
    t.match(claims, { sub: alice.id, sid: UUID, jti: UUID, typ: 'access', iat: Number, exp: Number });
    t.equal((claims.exp as number) - (claims.iat as number), 1800);
    t.not(claimsOf(alice.accessToken).sid, claims.sid, 'each login is its own session');
  });

  await t.test('login: a wrong password and an unknown email get the same 401', async (t) => {
    const wrong = await app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: alice.email, password: 'wrong-password' } });
    const unknown = await app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: uniqueEmail(), password: 'wrong-password' } });
    t.equal(wrong.statusCode, 401);
    t.equal(unknown.statusCode, 401);
    t.equal(json(wrong).code, 'invalid_credentials');
    t.same(json(wrong), json(unknown));
  });

  await t.test('me: 200 the user', async (t) => {
    const response = await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: alice.headers });
    t.equal(response.statusCode, 200);
    t.same(json(response), { id: alice.id, email: alice.email, full_name: 'Test User', created_at: json(response).created_at });
  });

  await t.test('protected routes refuse missing, malformed, expired and forged tokens with 401 unauthorized', async (t) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: alice.id, sid: claimsOf(alice.accessToken).sid, jti: randomUUID(), typ: 'access', iat: now, exp: now + 600 };
    const hs256 = { alg: 'HS256', typ: 'JWT' };
    const cases: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['not a bearer scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
      ['garbage', bearer('not-a-jwt')],
      ['expired', bearer(craftJwt(hs256, { ...claims, iat: now - 3600, exp: now - 60 }, TEST_SECRET))],
      ['alg none', bearer(craftJwt({ alg: 'none', typ: 'JWT' }, claims))],
      ['alg none with a signature', bearer(`${craftJwt({ alg: 'none', typ: 'JWT' }, claims)}${'A'.repeat(43)}`)],
      ['signed with another key', bearer(craftJwt(hs256, claims, 'some-other-secret-key-0123456789abcdef'))],
      ['HS512 with the right key (algorithm pinned to HS256)', bearer(craftJwt({ alg: 'HS512', typ: 'JWT' }, claims, TEST_SECRET, 'sha512'))],
      ['not an access token', bearer(craftJwt(hs256, { ...claims, typ: 'refresh' }, TEST_SECRET))],
      ['no session id', bearer(craftJwt(hs256, { ...claims, sid: undefined }, TEST_SECRET))],
      ['payload tampered', bearer(alice.accessToken.replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ ...claims, sub: randomUUID() })).toString('base64url')}.`))],
    ];
    for (const [name, headers] of cases) {
      for (const url of [`${API}/auth/me`, `${API}/accounts`]) {
        const response = await app.inject({ method: 'GET', url, headers });
        t.equal(response.statusCode, 401, `${name}: ${url}`);
        t.equal(json(response).code, 'unauthorized', name);
        t.match(response.headers['www-authenticate'], /^Bearer/, `${name}: WWW-Authenticate`);
      }
    }
    const good = craftJwt(hs256, claims, TEST_SECRET);
    t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: bearer(good) })).statusCode, 200, 'the same claims, signed right, pass');
  });

  await t.test('refresh: rotation, then reuse of a rotated token revokes the whole login', async (t) => {
    const bob = await signUp(app);
    const first = await app.inject({ method: 'POST', url: `${API}/auth/refresh`, payload: { refresh_token: bob.refreshToken } });
    t.equal(first.statusCode, 200);
    t.equal(first.headers['cache-control'], 'no-store');
    const rotated = json(first);
    t.match(rotated, { access_token: String, refresh_token: String, token_type: 'bearer', expires_in: 1800 });
    t.not(rotated.refresh_token, bob.refreshToken);
    t.equal(claimsOf(rotated.access_token).sid, claimsOf(bob.accessToken).sid, 'same login');
    t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: bearer(rotated.access_token) })).statusCode, 200);

    const reuse = await app.inject({ method: 'POST', url: `${API}/auth/refresh`, payload: { refresh_token: bob.refreshToken } });
    t.equal(reuse.statusCode, 401);
    t.equal(json(reuse).code, 'token_revoked');

    const next = await app.inject({ method: 'POST', url: `${API}/auth/refresh`, payload: { refresh_token: rotated.refresh_token } });
    t.equal(next.statusCode, 401, 'the newest refresh token of that login is revoked too');
    t.equal(json(next).code, 'token_revoked');
    for (const token of [bob.accessToken, rotated.access_token]) {
      const me = await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: bearer(token) });
      t.equal(me.statusCode, 401, 'access tokens of that login are refused');
      t.equal(json(me).code, 'token_revoked');
      t.match(me.headers['www-authenticate'], /^Bearer/);
    }
    const again = await app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: bob.email, password: bob.password } });
    t.equal(again.statusCode, 200, 'a new login works');
  });

  await t.test('refresh: unknown token → 401 invalid_token; missing → 422', async (t) => {
    const unknown = await app.inject({ method: 'POST', url: `${API}/auth/refresh`, payload: { refresh_token: 'x'.repeat(43) } });
    t.equal(unknown.statusCode, 401);
    t.equal(json(unknown).code, 'invalid_token');
    const missing = await app.inject({ method: 'POST', url: `${API}/auth/refresh`, payload: {} });
    t.equal(missing.statusCode, 422);
    t.match(json(missing).errors, [{ field: 'refresh_token', message: 'is required' }]);
  });

  await t.test('logout: 204; that login\'s access and refresh tokens stop working, other logins do not', async (t) => {
    const carol = await signUp(app);
    const other = json(await app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: carol.email, password: carol.password } }));
    const response = await app.inject({ method: 'POST', url: `${API}/auth/logout`, headers: carol.headers });
    t.equal(response.statusCode, 204);
    t.equal(response.body, '');
    const me = await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: carol.headers });
    t.equal(me.statusCode, 401);
    t.equal(json(me).code, 'token_revoked');
    const refresh = await app.inject({ method: 'POST', url: `${API}/auth/refresh`, payload: { refresh_token: carol.refreshToken } });
    t.equal(refresh.statusCode, 401);
    t.equal(json(refresh).code, 'token_revoked');
    t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: bearer(other.access_token) })).statusCode, 200, 'the other login lives');
    const twice = await app.inject({ method: 'POST', url: `${API}/auth/logout`, headers: carol.headers });
    t.equal(twice.statusCode, 401, 'a logged-out token cannot log out again');
  });

  await t.test('logout with a refresh_token ends that login too, but only if it is the caller\'s', async (t) => {
    const dave = await signUp(app);
    const second = json(await app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: dave.email, password: dave.password } }));
    const erin = await signUp(app);
    const response = await app.inject({
      method: 'POST',
      url: `${API}/auth/logout`,
      headers: dave.headers,
      payload: { refresh_token: second.refresh_token },
    });
    t.equal(response.statusCode, 204);
    t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: bearer(second.access_token) })).statusCode, 401);

    const third = json(await app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: dave.email, password: dave.password } }));
    const foreign = await app.inject({ method: 'POST', url: `${API}/auth/logout`, headers: bearer(third.access_token), payload: { refresh_token: erin.refreshToken } });
    t.equal(foreign.statusCode, 204);
    t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: erin.headers })).statusCode, 200, "another user's login is untouched");
    const refreshed = await app.inject({ method: 'POST', url: `${API}/auth/refresh`, payload: { refresh_token: erin.refreshToken } });
    t.equal(refreshed.statusCode, 200);

    const extra = await app.inject({ method: 'POST', url: `${API}/auth/logout`, headers: erin.headers, payload: { refresh_token: 'x', everything: true } });
    t.equal(extra.statusCode, 422, 'unknown fields refused');
    t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: erin.headers })).statusCode, 200, 'a refused logout changes nothing');
  });

  await t.test('token endpoint (RFC 6749): password grant', async (t) => {
    const response = await app.inject({
      method: 'POST',
      url: `${API}/auth/token`,
      ...form({ grant_type: 'password', username: alice.email, password: alice.password, scope: '', client_id: 'swagger-ui' }),
    });
    t.equal(response.statusCode, 200);
    t.equal(response.headers['cache-control'], 'no-store');
    t.equal(response.headers.pragma, 'no-cache');
    t.match(response.headers['content-type'], /^application\/json/);
    const body = json(response);
    t.same(Object.keys(body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    t.equal(body.token_type, 'bearer');
    t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: bearer(body.access_token) })).statusCode, 200);

    await t.test('refresh_token grant rotates; reuse is invalid_grant', async (t) => {
      const rotated = await app.inject({ method: 'POST', url: `${API}/auth/token`, ...form({ grant_type: 'refresh_token', refresh_token: body.refresh_token }) });
      t.equal(rotated.statusCode, 200);
      t.not(json(rotated).refresh_token, body.refresh_token);
      const reused = await app.inject({ method: 'POST', url: `${API}/auth/token`, ...form({ grant_type: 'refresh_token', refresh_token: body.refresh_token }) });
      t.equal(reused.statusCode, 400);
      t.same(json(reused), { error: 'invalid_grant', error_description: 'This token has been revoked.' });
    });
  });

  await t.test('token endpoint errors follow RFC 6749 §5.2', async (t) => {
    const cases: [string, Record<string, string>, string][] = [
      ['wrong password', { grant_type: 'password', username: alice.email, password: 'wrong-password' }, 'invalid_grant'],
      ['unknown user', { grant_type: 'password', username: uniqueEmail(), password: 'whatever1' }, 'invalid_grant'],
      ['unknown refresh token', { grant_type: 'refresh_token', refresh_token: 'nope' }, 'invalid_grant'],
      ['unsupported grant', { grant_type: 'client_credentials' }, 'unsupported_grant_type'],
      ['no grant_type', { username: alice.email, password: alice.password }, 'invalid_request'],
      ['no password', { grant_type: 'password', username: alice.email }, 'invalid_request'],
      ['empty username', { grant_type: 'password', username: '', password: 'x' }, 'invalid_request'],
      ['no refresh_token', { grant_type: 'refresh_token' }, 'invalid_request'],
      ['oversized field', { grant_type: 'password', username: 'a'.repeat(400), password: 'x' }, 'invalid_request'],
    ];
    for (const [name, fields, error] of cases) {
      const response = await app.inject({ method: 'POST', url: `${API}/auth/token`, ...form(fields) });
      t.equal(response.statusCode, 400, name);
      t.equal(response.headers['cache-control'], 'no-store', name);
      const body = json(response);
      t.equal(body.error, error, name);
      t.type(body.error_description, 'string', name);
    }
    const empty = await app.inject({ method: 'POST', url: `${API}/auth/token` });
    t.equal(empty.statusCode, 400);
    t.equal(json(empty).error, 'invalid_request');
    const asJson = await app.inject({ method: 'POST', url: `${API}/auth/token`, payload: { grant_type: 'password', username: alice.email, password: alice.password } });
    t.equal(asJson.statusCode, 415, 'the token endpoint takes forms only');
    t.equal(json(asJson).code, 'unsupported_media_type');
  });

  await t.test('JSON auth routes refuse forms', async (t) => {
    const response = await app.inject({ method: 'POST', url: `${API}/auth/login`, ...form({ email: alice.email, password: alice.password }) });
    t.equal(response.statusCode, 415);
  });
});
