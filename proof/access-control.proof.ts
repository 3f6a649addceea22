import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import t from 'tap';
import { API, bearer, deposit, json, openAccount, signUp, type Client } from '../packages/http-fastify/test/app-harness.js';
import { freshDatabase, requireServices } from '../packages/http-fastify/test/support/services.js';
import { composedApp, PROOF_SECRET, sameState, snapshot } from './support/composed-app.js';
import { fillPath, label, pathParams, routesOf, type OpenApiDocument, type Route, type Schema } from './support/openapi-routes.js';
import { count, recordResult } from './support/results.js';

/**
 * The access-control matrix, generated from /openapi.json: every route that declares a security
 * requirement, called with no token, with a dozen kinds of forged or dead tokens (each → 401), and
 * with another user's valid token on every id it takes (→ 404, existence not leaked). Every one of
 * these requests must leave every table exactly as it was.
 */

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const hmac = (alg: 'sha256' | 'sha384' | 'sha512', key: string, data: string): string => createHmac(alg, key).update(data).digest('base64url');
const jwt = (header: object, payload: object, signature: (data: string) => string): string => {
  const data = `${b64(header)}.${b64(payload)}`;
  return `${data}.${signature(data)}`;
};
const claimsOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));

t.test('access-control matrix from /openapi.json', async (t) => {
  if (!(await requireServices(t, { machineRedis: false }))) return;
  const db = await freshDatabase(t);
  const { app, database } = await composedApp(t, db.url, { cheapHashing: true });

  const doc = json(await app.inject({ method: 'GET', url: '/openapi.json' })) as OpenApiDocument;
  const routes = routesOf(doc);
  const guarded = routes.filter((r) => r.protected);
  const publicRoutes = routes.filter((r) => !r.protected);
  t.ok(guarded.length >= 13, `${guarded.length} routes declare a bearer token`);
  // A route that leaves the security requirement out of the document would silently escape the
  // matrix: the public ones must be exactly the auth entry points and the operations routes.
  t.same(
    publicRoutes.map(label).sort(),
    ['GET /health', 'GET /metrics', 'GET /ready', `POST ${API}/auth/login`, `POST ${API}/auth/refresh`, `POST ${API}/auth/register`, `POST ${API}/auth/token`].sort(),
    'the only routes without a token are the auth entry points and the operations routes',
  );

  // ── the people ───────────────────────────────────────────────────────────────────────────────
  const alice = await signUp(app);
  const a1 = await openAccount(app, alice);
  const a2 = await openAccount(app, alice);
  await deposit(app, alice, a1.id, 100);
  const own = await app.inject({ method: 'POST', url: `${API}/transfers`, headers: alice.headers, payload: { from_account_id: a1.id, to_account_number: a2.account_number, amount: 10 } });
  const aliceTransfer = json(own).transfer_id as string;
  const bob = await signUp(app);
  const b1 = await openAccount(app, bob);
  await deposit(app, bob, b1.id, 50);

  const dave = await signUp(app);
  t.equal((await app.inject({ method: 'POST', url: `${API}/auth/logout`, headers: dave.headers, payload: {} })).statusCode, 204, 'dave logs out');

  // Erin's row is deleted behind the API's back (with what references it: the foreign keys say so).
  const erin = await signUp(app);
  await db.query(
    `begin;
     delete from refresh_tokens where session_id in (select id from sessions where user_id = '${erin.id}');
     delete from sessions where user_id = '${erin.id}';
     delete from idempotency_records where user_id = '${erin.id}';
     delete from users where id = '${erin.id}';
     commit;`,
  );

  // ── a well-formed request for each route, on alice's ids ────────────────────────────────────────
  const valueFor = (name: string, schema: Schema): unknown => {
    if (schema.enum) return schema.enum[0];
    if (name === 'amount') return '1.00';
    if (schema.format === 'uuid') return a1.id;
    if (schema.pattern === '^[0-9]{12}$') return b1.account_number;
    if (schema.type === 'integer' || schema.type === 'number') return schema.minimum ?? 1;
    return 'proof';
  };
  const bodyFor = (route: Route): Record<string, unknown> | undefined => {
    if (!route.body) return undefined;
    const schema = route.body.schema;
    return Object.fromEntries((schema.required ?? []).map((name) => [name, valueFor(name, schema.properties?.[name] ?? {})]));
  };
  const urlFor = (route: Route) => fillPath(route.path, { id: a1.id, transfer_id: aliceTransfer });
  const send = (route: Route, headers: Record<string, string>) => {
    const body = bodyFor(route);
    return app.inject({ method: route.method, url: urlFor(route), headers, ...(body !== undefined && { payload: body }) });
  };

  // ── the tokens that must all be refused ─────────────────────────────────────────────────────────
  // Each kind is built on a fresh login of alice's: if one were accepted by logout, it would end only
  // its own session, not make the kinds after it pass for the wrong reason (a revoked session).
  const now = Math.floor(Date.now() / 1000);
  const hs256 = (payload: object, key = PROOF_SECRET) => jwt({ alg: 'HS256', typ: 'JWT' }, payload, (d) => hmac('sha256', key, d));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  interface Session {
    readonly access: string;
    readonly refresh: string;
    readonly claims: Record<string, unknown>;
    readonly header: string;
    readonly signature: string;
  }
  const forged: Record<string, (s: Session) => string | undefined> = {
    'no token': () => undefined,
    'empty bearer': () => 'Bearer ',
    'Basic credentials': () => `Basic ${Buffer.from(`${alice.email}:${alice.password}`).toString('base64')}`,
    'not a JWT': () => 'Bearer not-a-token',
    'alg none, no signature': (s) => `Bearer ${jwt({ alg: 'none', typ: 'JWT' }, s.claims, () => '')}`,
    'alg None, original signature': (s) => `Bearer ${b64({ alg: 'None', typ: 'JWT' })}.${b64(s.claims)}.${s.signature}`,
    'HS256 with another key': (s) => `Bearer ${hs256(s.claims, 'another-secret-key-that-is-long-enough-0123456789abcdef')}`,
    'HS256 with an empty key': (s) => `Bearer ${hs256(s.claims, '')}`,
    'HS512 with the server key (other algorithm)': (s) => `Bearer ${jwt({ alg: 'HS512', typ: 'JWT' }, s.claims, (d) => hmac('sha512', PROOF_SECRET, d))}`,
    'HS384 with the server key (other algorithm)': (s) => `Bearer ${jwt({ alg: 'HS384', typ: 'JWT' }, s.claims, (d) => hmac('sha384', PROOF_SECRET, d))}`,
    'RS256 signed with an RSA key': (s) => `Bearer ${jwt({ alg: 'RS256', typ: 'JWT' }, s.claims, (d) => sign('sha256', Buffer.from(d), privateKey).toString('base64url'))}`,
    'RS256 header, HMAC with the server key (key confusion)': (s) => `Bearer ${jwt({ alg: 'RS256', typ: 'JWT' }, s.claims, (d) => hmac('sha256', PROOF_SECRET, d))}`,
    'HS256 header, no signature': (s) => `Bearer ${s.header}.${b64(s.claims)}.`,
    expired: (s) => `Bearer ${hs256({ ...s.claims, iat: now - 7200, exp: now - 60 })}`,
    'not yet valid (nbf in an hour)': (s) => `Bearer ${hs256({ ...s.claims, nbf: now + 3600, exp: now + 7200 })}`,
    'issued in the future (iat in an hour)': (s) => `Bearer ${hs256({ ...s.claims, iat: now + 3600, exp: now + 7200 })}`,
    'no exp': (s) => `Bearer ${hs256({ sub: s.claims['sub'], sid: s.claims['sid'], jti: s.claims['jti'], typ: 'access', iat: now })}`,
    'no sid': (s) => `Bearer ${hs256({ sub: s.claims['sub'], jti: s.claims['jti'], typ: 'access', iat: now, exp: now + 600 })}`,
    'typ refresh (signed with the server key)': (s) => `Bearer ${hs256({ ...s.claims, typ: 'refresh' })}`,
    'tampered payload (sub = bob, original signature)': (s) => `Bearer ${s.header}.${b64({ ...s.claims, sub: bob.id })}.${s.signature}`,
    'tampered payload (exp + 1 year, original signature)': (s) => `Bearer ${s.header}.${b64({ ...s.claims, exp: now + 365 * 86400 })}.${s.signature}`,
    'refresh token used as access token': (s) => `Bearer ${s.refresh}`,
    'logged-out token': () => `Bearer ${dave.accessToken}`,
    'token of a deleted user': () => `Bearer ${erin.accessToken}`,
    "another user's session id (signed with the server key)": (s) => `Bearer ${hs256({ ...s.claims, sid: claimsOf(bob.accessToken)['sid'] })}`,
    'session that never existed (signed with the server key)': (s) => `Bearer ${hs256({ ...s.claims, sid: '00000000-0000-4000-8000-000000000000' })}`,
  };
  const freshSession = async (): Promise<Session> => {
    const login = json(await app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: alice.email, password: alice.password } }));
    const [header, , signature] = (login.access_token as string).split('.');
    return { access: login.access_token, refresh: login.refresh_token, claims: claimsOf(login.access_token), header: header!, signature: signature! };
  };
  // Logout last: were it to accept a forged token, it would end the session the others are built on.
  guarded.sort((x, y) => Number(x.path.endsWith('/logout')) - Number(y.path.endsWith('/logout')));

  // ── run the matrix, each request against a snapshot of every table ──────────────────────────────
  const results: { kind: string; route: string; status: number; code: string; changed: boolean }[] = [];
  for (const [kind, make] of Object.entries(forged)) {
    const authorization = make(await freshSession());
    for (const route of guarded) {
      const before = await snapshot(database);
      const response = await send(route, authorization === undefined ? {} : { authorization });
      const changed = !sameState(await snapshot(database), before);
      const code = response.headers['content-type']?.toString().includes('json') ? String(json(response).code) : '';
      results.push({ kind, route: label(route), status: response.statusCode, code, changed });
    }
  }
  const otherUser: typeof results = [];
  const idRoutes = guarded.filter((r) => pathParams(r).length > 0 || Object.values(r.body?.schema.properties ?? {}).some((s) => s.format === 'uuid'));
  for (const [who, client] of [['bob (has accounts)', bob], ['a user without accounts', await signUp(app)]] as [string, Client][]) {
    for (const route of idRoutes) {
      const before = await snapshot(database);
      const response = await send(route, bearer(client.accessToken));
      const changed = !sameState(await snapshot(database), before);
      otherUser.push({ kind: who, route: label(route), status: response.statusCode, code: String(json(response).code), changed });
    }
  }
  // And the owner's own token still works on every one of them (the matrix is not refusing everyone).
  const ownerOk = await Promise.all(idRoutes.filter((r) => r.method === 'GET').map(async (r) => (await send(r, alice.headers)).statusCode));

  const refusedWrong = results.filter((r) => r.status !== 401);
  const changed = [...results, ...otherUser].filter((r) => r.changed);
  const notFoundWrong = otherUser.filter((r) => r.status !== 404 || r.code !== 'not_found');
  t.same(refusedWrong, [], `${results.length} requests without a valid token: every one 401`);
  t.same(notFoundWrong, [], `${otherUser.length} requests with another user's token on an id-bearing route: every one 404 not_found`);
  t.same(changed, [], 'none of them changed any table');
  t.ok(ownerOk.every((s) => s === 200), 'the owner reads the same ids with her own token (200)');

  const kinds = Object.keys(forged);
  const byKind = kinds.map((k) => `${k}: ${results.filter((r) => r.kind === k && r.status === 401).length}/${guarded.length}`);
  await recordResult('access-control', {
    order: 3,
    proof: 'Access-control matrix from /openapi.json',
    tried: `${guarded.length} protected routes × ${kinds.length} token kinds (none, forged, expired, not yet valid, tampered, refresh, logged out, deleted user…) = ${count(results.length)} requests; ${idRoutes.length} id-bearing routes × 2 other users = ${otherUser.length}`,
    held: `401 on ${count(results.length - refusedWrong.length)}/${count(results.length)} (${((100 * (results.length - refusedWrong.length)) / results.length).toFixed(1)} %); 404 on ${otherUser.length - notFoundWrong.length}/${otherUser.length}; state changed by ${changed.length}`,
    ok: refusedWrong.length === 0 && notFoundWrong.length === 0 && changed.length === 0,
    figures: {
      'protected routes': guarded.map(label).join(', '),
      'public routes (by design)': publicRoutes.map(label).join(', '),
      ...Object.fromEntries(byKind.map((line) => [`401 — ${line.slice(0, line.lastIndexOf(':'))}`, line.slice(line.lastIndexOf(':') + 2)])),
      "404 — another user's token on an id-bearing route": `${otherUser.length - notFoundWrong.length}/${otherUser.length}`,
      'requests that changed any table (must be 0)': changed.length,
    },
  });
});
