import { MemoryRateLimitStore } from '@banking/adapters-memory';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createBanking, DEFAULT_PAGE_SIZE, StoreUnavailable, type Banking, type RateLimitStore } from '@banking/domain';
import { memoryBanking } from '@banking/testing';
import pino from 'pino';
import t, { type Test } from 'tap';
import { loggerOptions } from '../src/app.js';
import { API, bearer, json, openAccount, signUp, testApp, testHasher, uniqueEmail } from './app-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Collects the JSON log lines an app writes. */
function logCapture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines, text: () => lines.join('\n') };
}

/** A bank whose use case `name` always throws `error`. */
function failingBanking(name: keyof Banking, error: Error): Banking {
  const { banking } = memoryBanking({ hasher: testHasher() });
  return { ...banking, [name]: { execute: async () => Promise.reject(error) } };
}

t.test('health, readiness, metrics', async (t) => {
  let databaseUp = true;
  const { app } = await testApp({
    deps: {
      readiness: [
        { name: 'database', check: async () => (databaseUp ? undefined : Promise.reject(new Error('connection refused: password=hunter2'))) },
        { name: 'redis', check: () => Promise.resolve() },
      ],
      metricsSources: [
        { name: 'db_pool', stats: () => ({ total: 10, idle: 7, waiting: 0 }) },
        { name: 'cache', stats: () => ({ hits: 42, misses: 3 }) },
        { name: 'broken', stats: () => Promise.reject(new Error('down')) },
      ],
      readinessTimeoutMs: 200,
    },
    config: { RATE_LIMIT_PER_MINUTE: '2' },
  });
  t.teardown(() => app.close());

  await t.test('/health: 200 {status: ok}, never rate limited', async (t) => {
    for (let i = 0; i < 5; i++) {
      const response = await app.inject({ method: 'GET', url: '/health' });
      t.equal(response.statusCode, 200);
      t.same(json(response), { status: 'ok' });
      t.notOk(response.headers['ratelimit-limit']);
    }
  });

  await t.test('/ready: 200 when every dependency answers', async (t) => {
    const response = await app.inject({ method: 'GET', url: '/ready' });
    t.equal(response.statusCode, 200);
    t.same(json(response), { status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  await t.test('/ready: 503 problem naming the database when it does not answer, no internals', async (t) => {
    databaseUp = false;
    const response = await app.inject({ method: 'GET', url: '/ready' });
    databaseUp = true;
    t.equal(response.statusCode, 503);
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(json(response), { status: 503, code: 'not_ready', detail: /database/, failing: ['database'], checks: { database: 'down', redis: 'ok' } });
    t.notMatch(response.body, /hunter2|refused/);
  });

  await t.test('/ready: 200 degraded naming Redis when only Redis is down (the API still serves: keep it in the load balancer)', async (t) => {
    let redisUp = false;
    let databaseOk = true;
    const { app: degraded } = await testApp({
      deps: {
        readiness: [
          { name: 'database', check: async () => (databaseOk ? undefined : Promise.reject(new Error('down'))) },
          { name: 'redis', optional: true, check: async () => (redisUp ? undefined : Promise.reject(new Error('ECONNREFUSED'))) },
        ],
        readinessTimeoutMs: 200,
      },
    });
    t.teardown(() => degraded.close());
    const down = await degraded.inject({ method: 'GET', url: '/ready' });
    t.equal(down.statusCode, 200);
    t.same(json(down), { status: 'degraded', checks: { database: 'ok', redis: 'down' } });
    redisUp = true;
    t.same(json(await degraded.inject({ method: 'GET', url: '/ready' })), { status: 'ready', checks: { database: 'ok', redis: 'ok' } });
    redisUp = false;
    databaseOk = false;
    const both = await degraded.inject({ method: 'GET', url: '/ready' });
    t.equal(both.statusCode, 503, 'the database down is 503, whatever Redis says');
    t.match(json(both), { code: 'not_ready', detail: /database/, failing: ['database'], checks: { database: 'down', redis: 'down' } });
  });

  await t.test('/ready: a check that hangs counts as down', async (t) => {
    const hanging = await testApp({
      deps: {
        readiness: [
          { name: 'database', check: () => new Promise(() => {}) },
          { name: 'redis', optional: true, check: () => new Promise(() => {}) },
        ],
        readinessTimeoutMs: 100,
      },
    });
    t.teardown(() => hanging.app.close());
    const response = await hanging.app.inject({ method: 'GET', url: '/ready' });
    t.equal(response.statusCode, 503);
    t.match(json(response), { failing: ['database'], checks: { database: 'down', redis: 'down' } });
  });

  await t.test('/ready: 503 once shutdown began, so load balancers stop sending', async (t) => {
    const { default: Fastify } = await import('fastify');
    const { default: errorsPlugin } = await import('../src/plugins/errors.plugin.js');
    const { operationsRoutes } = await import('../src/routes/operations.routes.js');
    const bare = Fastify();
    t.teardown(() => bare.close());
    await bare.register(errorsPlugin);
    await bare.register(operationsRoutes, { readiness: [{ name: 'database', check: () => Promise.resolve() }], isClosing: () => true });
    const response = await bare.inject({ method: 'GET', url: '/ready' });
    t.equal(response.statusCode, 503);
    t.match(json(response), { code: 'not_ready', detail: /shutting down/ });
  });

  await t.test('/metrics: counts and latencies by route template and status, plus dependency gauges', async (t) => {
    const alice = await signUp(app);
    const account = await openAccount(app, alice);
    await app.inject({ method: 'GET', url: `${API}/accounts/${account.id}`, headers: alice.headers });
    await app.inject({ method: 'GET', url: '/nowhere' });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /^text\/plain/);
    const text = response.body;
    t.match(text, /http_requests_total\{method="GET",route="\/api\/v1\/accounts\/:id",status_code="(200|429)"\} 1/);
    t.match(text, /http_requests_total\{method="POST",route="\/api\/v1\/auth\/register",status_code="201"\} 1/);
    t.match(text, /http_requests_total\{method="GET",route="unmatched",status_code="404"\} 1/);
    t.match(text, /http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/api\/v1\/accounts",status_code="201"\} 1/);
    t.notMatch(text, new RegExp(account.id), 'raw URLs are never labels');
    t.match(text, /banking_db_pool_total 10/);
    t.match(text, /banking_db_pool_idle 7/);
    t.match(text, /banking_cache_hits 42/);
    t.match(text, /process_cpu_user_seconds_total/);
    t.notOk(response.headers['ratelimit-limit'], 'not rate limited');
  });

  await t.test('/docs, /redoc and /openapi.json are not rate limited', async (t) => {
    for (let i = 0; i < 4; i++) {
      t.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200);
      const docs = await app.inject({ method: 'GET', url: '/docs' });
      t.ok([200, 302].includes(docs.statusCode));
      const redoc = await app.inject({ method: 'GET', url: '/redoc' });
      t.equal(redoc.statusCode, 200);
      t.notOk(redoc.headers['ratelimit-limit']);
      t.equal((await app.inject({ method: 'GET', url: '/redoc/redoc.standalone.js' })).statusCode, 200);
    }
  });
});

t.test('request ids and logs', async (t) => {
  const logs = logCapture();
  const password = 'correct-horse-battery-staple';
  const banking = memoryBanking({ hasher: testHasher() }).banking;
  const broken = { ...banking, getBalance: { execute: async () => Promise.reject(new Error(`SELECT balance FROM accounts -- password=${password}`)) } } as unknown as Banking;
  const { app } = await testApp({ deps: { banking: broken, logger: { stream: logs.stream } }, config: { LOG_LEVEL: 'debug' } });
  t.teardown(() => app.close());

  await t.test('X-Request-Id: generated, or the client\'s when sane, on every response', async (t) => {
    const generated = await app.inject({ method: 'GET', url: '/health' });
    t.match(generated.headers['x-request-id'], UUID);
    const echoed = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'client-abc.123:xyz' } });
    t.equal(echoed.statusCode, 404);
    t.equal(echoed.headers['x-request-id'], 'client-abc.123:xyz');
    for (const bad of ['has spaces', 'x'.repeat(129), '<script>', 'a\u00e9']) {
      const replaced = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': bad } });
      t.match(replaced.headers['x-request-id'], UUID, `${JSON.stringify(bad).slice(0, 20)} replaced`);
    }
    const unauthorized = await app.inject({ method: 'GET', url: `${API}/accounts` });
    t.equal(unauthorized.statusCode, 401);
    t.match(unauthorized.headers['x-request-id'], UUID);
  });

  const email = uniqueEmail();
  let tokens: any;
  let accountId = '';
  await t.test('passwords and tokens never reach the logs', async (t) => {
    await app.inject({ method: 'POST', url: `${API}/auth/register`, payload: { email, password, full_name: 'Log Test' } });
    tokens = json(await app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email, password } }));
    await app.inject({
      method: 'POST',
      url: `${API}/auth/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'password', username: email, password }).toString(),
    });
    await app.inject({ method: 'POST', url: `${API}/auth/refresh`, payload: { refresh_token: tokens.refresh_token } });
    accountId = json(await app.inject({ method: 'POST', url: `${API}/accounts`, headers: bearer(tokens.access_token), payload: { account_type: 'COURANT' } })).id;
    t.ok(logs.lines.length > 5);
    for (const line of logs.lines) JSON.parse(line);
    t.notMatch(logs.text(), password);
    t.notMatch(logs.text(), tokens.refresh_token);
    t.notMatch(logs.text(), tokens.access_token.split('.')[2]);
    t.match(logs.text(), /"request_id":/);
    const parsed = logs.lines.map((l) => JSON.parse(l));
    t.notOk(parsed.some((l) => l.msg === 'incoming request'), 'one line per request: none on arrival');
    const completed = parsed.filter((l) => l.msg === 'request completed');
    t.ok(completed.length >= 5, 'a line per completed request');
    t.ok(
      completed.every((l) => typeof l.req?.method === 'string' && typeof l.req?.url === 'string' && typeof l.res?.statusCode === 'number' && typeof l.responseTime === 'number' && typeof l.request_id === 'string'),
      'each with method, URL, status, time and request id',
    );
    t.ok(completed.some((l) => l.req.method === 'POST' && l.req.url === `${API}/accounts` && l.res.statusCode === 201));
  });

  await t.test('500: a generic problem carrying the request id; the error is logged with it, never sent', async (t) => {
    const response = await app.inject({
      method: 'GET',
      url: `${API}/accounts/${accountId}/balance`,
      headers: { ...bearer(tokens.access_token), 'x-request-id': 'trace-500' },
    });
    t.equal(response.statusCode, 500);
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.same(json(response), {
      type: 'urn:banking:problem:internal_error',
      title: 'Internal server error',
      status: 500,
      detail: 'An unexpected error occurred. Reference: trace-500.',
      code: 'internal_error',
    });
    t.notMatch(response.body, /SELECT|password|stack|\.ts/);
    const logged = logs.lines.map((l) => JSON.parse(l)).find((l) => l.request_id === 'trace-500' && l.level >= 50);
    t.ok(logged, 'logged at error level with the request id');
    t.match(logged?.err?.message, /SELECT balance/);
  });
});

t.test('errors that are not bugs', async (t) => {
  await t.test('a database outage is 503 service_unavailable, not 500', async (t) => {
    // Any adapter's StoreUnavailable (PostgreSQL's DatabaseUnavailable is one), recognised by class, not by name.
    const outage = new (class extends StoreUnavailable {})('The database is unavailable: connect ECONNREFUSED 127.0.0.1:5432');
    const { app } = await testApp({ deps: { banking: failingBanking('registerUser', outage) } });
    t.teardown(() => app.close());
    const response = await app.inject({ method: 'POST', url: `${API}/auth/register`, payload: { email: uniqueEmail(), password: 'password123', full_name: 'X' } });
    t.equal(response.statusCode, 503);
    t.equal(json(response).code, 'service_unavailable');
    t.equal(response.headers['retry-after'], '1');
    t.notMatch(response.body, /ECONNREFUSED|5432/);
  });

  await t.test('unknown routes and methods: 404 problem+json', async (t) => {
    const { app } = await testApp();
    t.teardown(() => app.close());
    for (const [method, url] of [
      ['GET', '/api/v1/nothing'],
      ['PUT', '/api/v1/accounts'],
      ['PATCH', '/health'],
      ['GET', '/api/v2/accounts'],
    ] as const) {
      const response = await app.inject({ method, url });
      t.equal(response.statusCode, 404, `${method} ${url}`);
      t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      t.equal(json(response).code, 'not_found');
    }
  });

  await t.test('API responses are never cacheable', async (t) => {
    const { app } = await testApp();
    t.teardown(() => app.close());
    const alice = await signUp(app);
    const response = await app.inject({ method: 'GET', url: `${API}/accounts`, headers: alice.headers });
    t.equal(response.headers['cache-control'], 'no-store');
    t.equal(response.headers['x-content-type-options'], 'nosniff');
  });
});

t.test('rate limiting', async (t) => {
  await t.test('per user when authenticated: 429 problem with Retry-After, RateLimit-* headers throughout', async (t) => {
    const { app } = await testApp({ config: { RATE_LIMIT_PER_MINUTE: '3' } });
    t.teardown(() => app.close());
    const alice = await signUp(app);
    const bob = await signUp(app);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await app.inject({ method: 'GET', url: `${API}/accounts`, headers: alice.headers });
      t.equal(response.statusCode, 200);
      t.equal(response.headers['ratelimit-limit'], '3');
      seen.push(Number(response.headers['ratelimit-remaining']));
      t.ok(Number(response.headers['ratelimit-reset']) > 0 && Number(response.headers['ratelimit-reset']) <= 60);
    }
    t.same(seen, [2, 1, 0]);
    const refused = await app.inject({ method: 'GET', url: `${API}/accounts`, headers: alice.headers });
    t.equal(refused.statusCode, 429);
    t.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(json(refused), { status: 429, code: 'rate_limited', detail: /retry in \d+ second/ });
    t.ok(Number(refused.headers['retry-after']) >= 1 && Number(refused.headers['retry-after']) <= 60);
    t.equal(refused.headers['ratelimit-remaining'], '0');
    const money = await app.inject({ method: 'POST', url: `${API}/accounts`, headers: alice.headers, payload: { account_type: 'COURANT' } });
    t.equal(money.statusCode, 429, 'writes are limited too, and nothing is done');
    t.equal((await app.inject({ method: 'GET', url: `${API}/accounts`, headers: bob.headers })).statusCode, 200, 'another user has their own count');
    t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'operations stay exempt');
  });

  await t.test('per IP when anonymous (unknown routes included)', async (t) => {
    const { app } = await testApp({ config: { RATE_LIMIT_PER_MINUTE: '2' } });
    t.teardown(() => app.close());
    const from = (ip: string) => app.inject({ method: 'GET', url: `${API}/accounts`, remoteAddress: ip });
    t.equal((await from('10.0.0.1')).statusCode, 401);
    t.equal((await from('10.0.0.1')).statusCode, 401);
    t.equal((await from('10.0.0.1')).statusCode, 429);
    t.equal((await from('10.0.0.2')).statusCode, 401, 'another IP has its own count');
    const missing = await app.inject({ method: 'GET', url: '/nowhere', remoteAddress: '10.0.0.1' });
    t.equal(missing.statusCode, 429, '404s are counted too (no free route probing)');
  });

  await t.test('auth routes: AUTH_RATE_LIMIT_PER_MINUTE per IP across register/login/token/refresh', async (t) => {
    const { app } = await testApp({ config: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
    t.teardown(() => app.close());
    const ip = '10.1.1.1';
    const statuses: number[] = [];
    statuses.push((await app.inject({ method: 'POST', url: `${API}/auth/register`, remoteAddress: ip, payload: { email: uniqueEmail(), password: 'password123', full_name: 'A' } })).statusCode);
    statuses.push((await app.inject({ method: 'POST', url: `${API}/auth/login`, remoteAddress: ip, payload: { email: uniqueEmail(), password: 'password123' } })).statusCode);
    statuses.push((await app.inject({ method: 'POST', url: `${API}/auth/refresh`, remoteAddress: ip, payload: { refresh_token: 'nope' } })).statusCode);
    const token = await app.inject({
      method: 'POST',
      url: `${API}/auth/token`,
      remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=password&username=a%40b.c&password=x',
    });
    statuses.push(token.statusCode);
    t.same(statuses, [201, 401, 401, 429]);
    t.equal(json(token).code, 'rate_limited');
    t.ok(token.headers['retry-after']);
    t.equal(token.headers['ratelimit-limit'], '3');
    const other = await app.inject({ method: 'POST', url: `${API}/auth/login`, remoteAddress: '10.1.1.2', payload: { email: uniqueEmail(), password: 'password123' } });
    t.equal(other.statusCode, 401, 'another IP is not limited');
  });

  await t.test('login attempts are also limited per email, whatever the IP', async (t) => {
    const { app } = await testApp({ config: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
    t.teardown(() => app.close());
    const victim = 'Victim@Example.com';
    const attempt = (i: number, email = victim) =>
      app.inject({ method: 'POST', url: `${API}/auth/login`, remoteAddress: `10.2.0.${i}`, payload: { email, password: `guess-${i}` } });
    t.equal((await attempt(1)).statusCode, 401);
    t.equal((await attempt(2, ' victim@example.COM ')).statusCode, 401, 'the same email, normalised');
    const viaForm = await app.inject({
      method: 'POST',
      url: `${API}/auth/token`,
      remoteAddress: '10.2.0.3',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=password&username=${encodeURIComponent(victim)}&password=guess-3`,
    });
    t.equal(viaForm.statusCode, 400, 'the token endpoint counts too');
    const blocked = await attempt(4);
    t.equal(blocked.statusCode, 429);
    t.equal(json(blocked).code, 'rate_limited');
    t.ok(Number(blocked.headers['retry-after']) >= 1);
    t.equal((await attempt(5, uniqueEmail())).statusCode, 401, 'other emails are not affected');
  });

  await t.test('the count is shared by every instance using the same store', async (t) => {
    const store = new MemoryRateLimitStore();
    const bank = memoryBanking({ hasher: testHasher() });
    const one = await testApp({ bank, rateLimitStore: store, config: { RATE_LIMIT_PER_MINUTE: '2' } });
    const two = await testApp({ bank, rateLimitStore: store, config: { RATE_LIMIT_PER_MINUTE: '2' } });
    t.teardown(async () => {
      await one.app.close();
      await two.app.close();
    });
    t.equal((await one.app.inject({ method: 'GET', url: `${API}/accounts`, remoteAddress: '10.3.0.1' })).statusCode, 401);
    t.equal((await two.app.inject({ method: 'GET', url: `${API}/accounts`, remoteAddress: '10.3.0.1' })).statusCode, 401);
    t.equal((await one.app.inject({ method: 'GET', url: `${API}/accounts`, remoteAddress: '10.3.0.1' })).statusCode, 429);
  });

  await t.test('a store that breaks its contract and fails is skipped, never a 500', async (t) => {
    // The Redis store counts per instance while Redis is down (its own outage tests); this is the
    // last line of defence behind that.
    const failing: RateLimitStore = { hit: async () => Promise.reject(new Error('ECONNREFUSED redis')) };
    const { app } = await testApp({ rateLimitStore: failing, config: { RATE_LIMIT_PER_MINUTE: '1' } });
    t.teardown(() => app.close());
    const alice = await signUp(app);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: 'GET', url: `${API}/accounts`, headers: alice.headers })).statusCode);
    t.same(statuses, [200, 200, 200]);
  });
});

t.test('OpenAPI document and Swagger UI', async (t) => {
  const { app } = await testApp();
  t.teardown(() => app.close());
  const response = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(response.statusCode, 200);
  const doc = json(response);
  t.match(doc, { openapi: /^3\./, info: { title: String, version: 'v1' } });

  const expected: Record<string, string[]> = {
    '/api/v1/auth/register': ['post'],
    '/api/v1/auth/login': ['post'],
    '/api/v1/auth/token': ['post'],
    '/api/v1/auth/refresh': ['post'],
    '/api/v1/auth/logout': ['post'],
    '/api/v1/auth/me': ['get'],
    '/api/v1/accounts': ['get', 'post'],
    '/api/v1/accounts/{id}': ['delete', 'get'],
    '/api/v1/accounts/{id}/balance': ['get'],
    '/api/v1/accounts/{id}/freeze': ['post'],
    '/api/v1/accounts/{id}/unfreeze': ['post'],
    '/api/v1/accounts/{id}/transactions': ['get', 'post'],
    '/api/v1/transfers': ['post'],
    '/api/v1/transfers/{transfer_id}': ['get'],
    '/health': ['get'],
    '/ready': ['get'],
    '/metrics': ['get'],
  };
  t.same(Object.keys(doc.paths).sort(), Object.keys(expected).sort(), 'every route, and only those');
  for (const [path, methods] of Object.entries(expected)) {
    t.same(Object.keys(doc.paths[path]).sort(), methods, path);
    for (const method of methods) {
      const operation = doc.paths[path][method];
      t.ok(operation.tags?.length > 0 && operation.summary, `${method} ${path}: tags and summary`);
      const statuses = Object.keys(operation.responses);
      t.ok(statuses.some((s) => s.startsWith('2')), `${method} ${path}: a success response`);
      const secured = path.startsWith('/api/v1/') && !/\/auth\/(register|login|token|refresh)$/.test(path);
      t.equal(Array.isArray(operation.security), secured, `${method} ${path}: security ${secured}`);
      if (path.startsWith('/api/')) {
        const problem = Object.entries(operation.responses).find(([s, r]) => s.startsWith('4') && (r as any).content?.['application/problem+json'])?.[1] as any;
        t.ok(problem?.content?.['application/problem+json']?.schema?.properties?.code, `${method} ${path}: problem+json errors documented`);
      }
    }
  }
  const schemes = doc.components.securitySchemes;
  t.match(schemes.OAuth2PasswordBearer, { type: 'oauth2', flows: { password: { tokenUrl: '/api/v1/auth/token' } } });
  t.match(schemes.bearerAuth, { type: 'http', scheme: 'bearer' });
  t.ok(doc.paths['/api/v1/auth/token'].post.requestBody.content['application/x-www-form-urlencoded'], 'token endpoint takes forms');
  const deposit = doc.paths['/api/v1/accounts/{id}/transactions'].post;
  t.ok(deposit.parameters.some((p: any) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key'), 'Idempotency-Key documented');
  t.ok(deposit.requestBody.content['application/json'].example ?? deposit.requestBody.content['application/json'].examples, 'examples');
  t.equal(deposit.requestBody.content['application/json'].schema.additionalProperties, false);

  // Swagger UI's "Try it out" pre-fills a parameter from its example(s) and default: an optional
  // filter carrying one would silently filter the answer (status=ACTIVE, type=DEPOT, dates).
  const unfiltered: Record<string, unknown> = { page: 1, page_size: DEFAULT_PAGE_SIZE };
  let optionalQueryParameters = 0;
  for (const [path, operations] of Object.entries<any>(doc.paths)) {
    for (const [method, operation] of Object.entries<any>(operations)) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in !== 'query' || parameter.required) continue;
        optionalQueryParameters++;
        const where = `${method} ${path} ?${parameter.name}`;
        for (const holder of [parameter, parameter.schema ?? {}]) {
          t.notOk('example' in holder || 'examples' in holder, `${where}: no example for Swagger UI to pre-fill`);
          if ('default' in holder) t.equal(holder.default, unfiltered[parameter.name], `${where}: a default only where it is what the server does without it`);
        }
      }
    }
  }
  t.ok(optionalQueryParameters >= 8, `${optionalQueryParameters} optional query parameters checked`);

  const ui = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(ui.statusCode, 200);
  t.match(ui.headers['content-type'], /text\/html/);
  const init = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
  t.equal(init.statusCode, 200);
});

t.test('buildApp depends only on the use cases: a bank built elsewhere works unchanged', async (t) => {
  const fixture = memoryBanking({ hasher: testHasher() });
  const banking = createBanking(fixture.deps);
  const { app } = await testApp({ deps: { banking } });
  t.teardown(() => app.close());
  const alice = await signUp(app);
  t.equal((await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: alice.headers })).statusCode, 200);
});

t.test('secrets in a query string are redacted in the request log, the rest of the URL kept', async (t) => {
  const names = ['access_token', 'refresh_token', 'token', 'password', 'code', 'otp'];
  const check = async (t: Test, logger: 'stream' | 'instance') => {
    const logs = logCapture();
    const { app } = await testApp({
      deps: { logger: logger === 'stream' ? { stream: logs.stream } : { instance: pino(loggerOptions('info'), logs.stream) } },
      config: { LOG_LEVEL: 'info' },
    });
    t.teardown(() => app.close());
    const alice = await signUp(app);
    const secrets: string[] = [];
    for (const [i, name] of names.entries()) {
      for (const [j, spelled] of [name, name.toUpperCase(), name.replace('o', '%6F')].entries()) {
        const secret = `${alice.accessToken.split('.')[2]}-${i}-${j}`;
        secrets.push(secret);
        const response = await app.inject({
          method: 'GET',
          url: `${API}/auth/me?page=2&${spelled}=${encodeURIComponent(secret)}&keep=visible`,
          headers: { ...alice.headers, 'x-request-id': `redact-${i}-${j}` },
        });
        t.equal(response.statusCode, 200, `${spelled}: served`);
        const line = logs.lines.map((l) => JSON.parse(l)).find((l) => l.request_id === response.headers['x-request-id'] && l.msg === 'request completed');
        t.equal(line?.req?.url, `${API}/auth/me?page=2&${spelled}=[redacted]&keep=visible`, `${spelled}: value redacted, the rest of the URL kept`);
      }
    }
    const other = await app.inject({ method: 'GET', url: `${API}/auth/me?tokens=1&access_token_hint=2&x=access_token%3Dy`, headers: { ...alice.headers, 'x-request-id': 'redact-none' } });
    const kept = logs.lines.map((l) => JSON.parse(l)).find((l) => l.request_id === other.headers['x-request-id']);
    t.equal(kept?.req?.url, `${API}/auth/me?tokens=1&access_token_hint=2&x=access_token%3Dy`, 'other parameters (and values that merely mention a name) are untouched');
    for (const secret of secrets) t.notMatch(logs.text(), secret, 'no secret anywhere in the log');
  };
  await t.test('logger built by the app (stream)', (t) => check(t, 'stream'));
  await t.test('logger instance handed in (how main.ts runs it)', (t) => check(t, 'instance'));
});

/**
 * Sends raw bytes to a listening server and collects everything it answers until the connection
 * closes. A `{ until }` step waits until the answer so far contains that text (a response finished)
 * before the next bytes go out.
 */
function rawExchange(port: number, ...steps: (string | { until: string })[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    let waiting: { text: string; go: () => void } | undefined;
    socket.on('data', (data) => {
      received.push(data);
      if (waiting && Buffer.concat(received).toString('latin1').includes(waiting.text)) waiting.go();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    const send = async () => {
      for (const step of steps) {
        if (typeof step === 'string') socket.write(step);
        else await new Promise<void>((go) => (waiting = { text: step.until, go }));
      }
    };
    socket.on('connect', () => void send().catch(reject));
  });
}

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Splits a stream of HTTP/1.1 responses with Content-Length. */
function parseResponses(text: string): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`not an HTTP response: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    answers.push({ status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '')?.[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return answers;
}

t.test("errors from Node's HTTP parser are problem+json with X-Request-Id", async (t) => {
  const logs = logCapture();
  const { app } = await testApp({ deps: { logger: { stream: logs.stream } }, config: { LOG_LEVEL: 'info' } });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;

  const expectProblem = (t: Test, answer: RawAnswer | undefined, status: number, code: string) => {
    t.equal(answer?.status, status, `status ${status}`);
    t.equal(answer?.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(answer?.headers['x-request-id'], UUID, 'X-Request-Id');
    t.equal(answer?.headers['connection'], 'close');
    const body = JSON.parse(answer?.body ?? 'null');
    t.match(body, { type: `urn:banking:problem:${code}`, title: String, status, detail: String, code });
    t.match(body.detail, answer?.headers['x-request-id'], 'the detail carries the request id');
    return body;
  };

  await t.test('a 20 KB header: 431', async (t) => {
    const secret = 'Bearer eyJhbGciOiJIUzI1NiJ9.secret-in-a-huge-header';
    const text = await rawExchange(port, `GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: ${secret}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const [answer, ...more] = parseResponses(text);
    expectProblem(t, answer, 431, 'request_header_fields_too_large');
    t.same(more, [], 'one answer, then the connection closes');
    const logged = logs.lines.map((l) => JSON.parse(l)).find((l) => l.request_id === answer?.headers['x-request-id']);
    t.match(logged, { status: 431, code: 'request_header_fields_too_large' }, 'logged with the request id');
    t.notMatch(logs.text(), /secret-in-a-huge-header|aaaaaaaa/, 'nothing of the raw request reaches the log');
  });

  await t.test('a NUL in a header value: 400', async (t) => {
    const [answer] = parseResponses(await rawExchange(port, 'GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n'));
    expectProblem(t, answer, 400, 'bad_request');
  });

  await t.test('a malformed request line: 400', async (t) => {
    for (const line of ['GARBAGE\r\n\r\n', 'GET /health HTTP/9.9\r\nHost: x\r\n\r\n', 'GET /he alth HTTP/1.1\r\nHost: x\r\n\r\n']) {
      const [answer] = parseResponses(await rawExchange(port, line));
      expectProblem(t, answer, 400, 'bad_request');
    }
  });

  await t.test('after a good request on a kept-alive connection, a malformed one still gets its problem', async (t) => {
    const answers = parseResponses(await rawExchange(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', { until: '{"status":"ok"}' }, 'GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: \u0000\r\n\r\n'));
    t.equal(answers.length, 2);
    t.equal(answers[0]?.status, 200);
    t.same(JSON.parse(answers[0]?.body ?? 'null'), { status: 'ok' });
    expectProblem(t, answers[1], 400, 'bad_request');
  });
});

t.test('documentation pages: a Content-Security-Policy, never framed, no referrer', async (t) => {
  const { app } = await testApp();
  t.teardown(() => app.close());
  const directives = (header: unknown) =>
    new Map(
      String(header)
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0] !== '')
        .map(([name, ...values]) => [name!, values]),
    );
  for (const url of ['/docs', '/docs/', '/docs/static/swagger-initializer.js', '/docs/static/swagger-ui-bundle.js', '/docs/json', '/redoc', '/redoc/redoc.standalone.js']) {
    const response = await app.inject({ method: 'GET', url });
    t.ok([200, 302].includes(response.statusCode), `${url}: ${response.statusCode}`);
    const csp = directives(response.headers['content-security-policy']);
    t.same(csp.get('frame-ancestors'), ["'none'"], `${url}: frame-ancestors 'none'`);
    t.same(csp.get('default-src'), ["'self'"], `${url}: default-src 'self'`);
    t.same(csp.get('object-src'), ["'none'"], `${url}: no plugins`);
    t.same(csp.get('base-uri'), ["'self'"], `${url}: base-uri 'self'`);
    t.notOk(csp.get('script-src')?.some((s) => s.includes('unsafe') || s === '*' || s.startsWith('http')), `${url}: scripts only from this server (${csp.get('script-src')?.join(' ') ?? 'none'})`);
    t.equal(response.headers['referrer-policy'], 'no-referrer', `${url}: Referrer-Policy: no-referrer`);
    t.equal(response.headers['x-frame-options'], 'DENY', `${url}: X-Frame-Options: DENY (older browsers)`);
  }
  const api = await app.inject({ method: 'GET', url: '/health' });
  t.notOk(api.headers['content-security-policy'], 'JSON routes are left alone');

  const page = await app.inject({ method: 'GET', url: '/redoc' });
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.body, /<redoc spec-url="\/openapi\.json"/, 'ReDoc reads the same OpenAPI document');
  t.match(page.body, /<script src="\/redoc\/redoc\.standalone\.js"><\/script>/, "ReDoc's bundle from this server");
  t.notMatch(page.body, /<script>|<script [^>]*>[^<]+<\/script>|https?:\/\//, 'no inline script, nothing from another host');
  const bundle = await app.inject({ method: 'GET', url: '/redoc/redoc.standalone.js' });
  t.match(bundle.headers['content-type'], /^application\/javascript/);
  const upstream = readFileSync(createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js'), 'utf8');
  t.ok(bundle.body === upstream, 'the vendored bundle is the redoc dev dependency\'s (else: pnpm --filter @banking/http-fastify vendor:redoc)');
  const swagger = await app.inject({ method: 'GET', url: '/docs/' });
  t.notMatch(swagger.body, /<script>|<script [^>]*>[^<\s]+<\/script>/, 'Swagger UI: no inline script either');
});

t.test('CORS_ORIGINS: those origins may call the API from a browser, no others', async (t) => {
  const allowed = 'https://app.example.com';
  const { app } = await testApp({ config: { CORS_ORIGINS: `${allowed}, http://localhost:5173`, RATE_LIMIT_PER_MINUTE: '3' } });
  t.teardown(() => app.close());
  const alice = await signUp(app);
  const corsHeaders = (headers: Record<string, unknown>) => Object.keys(headers).filter((h) => h.startsWith('access-control-'));
  const list = (value: unknown) => String(value).toLowerCase().split(/\s*,\s*/);

  await t.test('preflight from an allowed origin: answered, no credentials', async (t) => {
    const response = await app.inject({
      method: 'OPTIONS',
      url: `${API}/accounts/3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d/transactions`,
      headers: { origin: allowed, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
    });
    t.equal(response.statusCode, 204);
    t.equal(response.headers['access-control-allow-origin'], allowed);
    t.notOk(response.headers['access-control-allow-credentials'], 'credentials not allowed');
    t.match(list(response.headers['access-control-allow-methods']), ['get', 'head', 'post', 'put', 'patch', 'delete']);
    for (const header of ['authorization', 'content-type', 'idempotency-key']) t.ok(list(response.headers['access-control-allow-headers']).includes(header), `allows ${header}`);
    t.ok(Number(response.headers['access-control-max-age']) > 0, 'browsers may cache the answer');
    t.match(response.headers['vary'], /origin/i);
    t.notOk(response.headers['ratelimit-limit'], 'preflights are not counted against the client');
  });

  await t.test('an allowed origin reads the headers a client needs', async (t) => {
    const response = await app.inject({ method: 'GET', url: `${API}/accounts`, headers: { ...alice.headers, origin: 'http://localhost:5173' } });
    t.equal(response.statusCode, 200);
    t.equal(response.headers['access-control-allow-origin'], 'http://localhost:5173');
    t.notOk(response.headers['access-control-allow-credentials']);
    const exposed = list(response.headers['access-control-expose-headers']);
    for (const header of ['x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after', 'idempotent-replayed', 'www-authenticate']) {
      t.ok(exposed.includes(header), `exposes ${header}`);
    }
    t.match(response.headers['vary'], /origin/i);
  });

  await t.test('a refusal (401, 429) carries them too, so the browser can read Retry-After', async (t) => {
    const anonymous = await app.inject({ method: 'GET', url: `${API}/accounts`, headers: { origin: allowed }, remoteAddress: '10.9.0.1' });
    t.equal(anonymous.statusCode, 401);
    t.equal(anonymous.headers['access-control-allow-origin'], allowed);
    let last = anonymous;
    for (let i = 0; i < 3; i++) last = await app.inject({ method: 'GET', url: `${API}/accounts`, headers: { origin: allowed }, remoteAddress: '10.9.0.1' });
    t.equal(last.statusCode, 429);
    t.equal(last.headers['access-control-allow-origin'], allowed);
  });

  await t.test('another origin: no CORS header at all, preflight not answered', async (t) => {
    for (const [i, origin] of ['https://evil.example.com', 'https://app.example.com.evil.com', 'http://app.example.com', 'null'].entries()) {
      const preflight = await app.inject({ method: 'OPTIONS', url: `${API}/accounts`, headers: { origin, 'access-control-request-method': 'GET' }, remoteAddress: `10.9.1.${i}` });
      t.equal(preflight.statusCode, 404, `${origin}: preflight 404`);
      t.equal(preflight.headers['content-type'], 'application/problem+json; charset=utf-8');
      t.same(corsHeaders(preflight.headers), [], `${origin}: no CORS header on the preflight`);
      const request = await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: { ...alice.headers, origin } });
      t.same(corsHeaders(request.headers), [], `${origin}: no CORS header on the request`);
    }
    const sameOrigin = await app.inject({ method: 'GET', url: `${API}/auth/me`, headers: alice.headers });
    t.same(corsHeaders(sameOrigin.headers), [], 'no Origin: no CORS header');
  });

  await t.test('without CORS_ORIGINS (the default) no origin gets CORS', async (t) => {
    const { app: closed } = await testApp();
    t.teardown(() => closed.close());
    const preflight = await closed.inject({ method: 'OPTIONS', url: `${API}/accounts`, headers: { origin: allowed, 'access-control-request-method': 'GET' } });
    t.equal(preflight.statusCode, 404);
    t.same(corsHeaders(preflight.headers), []);
  });
});

t.test('METRICS_TOKEN: /metrics only with that bearer token', async (t) => {
  const token = 'metrics-token-0123456789abcdef';
  const { app } = await testApp({ config: { METRICS_TOKEN: token } });
  t.teardown(() => app.close());
  for (const [what, authorization] of [
    ['no header', undefined],
    ['a wrong token', 'Bearer metrics-token-0123456789abcdeX'],
    ['a prefix of the token', `Bearer ${token.slice(0, -1)}`],
    ['the token and more', `Bearer ${token}0`],
    ['another scheme', `Basic ${Buffer.from(`x:${token}`).toString('base64')}`],
    ['the bare token', token],
  ] as const) {
    const response = await app.inject({ method: 'GET', url: '/metrics', headers: authorization === undefined ? {} : { authorization } });
    t.equal(response.statusCode, 401, `${what}: 401`);
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.equal(json(response).code, 'unauthorized');
    t.match(response.headers['www-authenticate'], /^Bearer/);
    t.notMatch(response.body, /http_requests_total/);
  }
  for (const scheme of ['Bearer', 'bearer']) {
    const response = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `${scheme} ${token}` } });
    t.equal(response.statusCode, 200, `${scheme} <METRICS_TOKEN>: 200`);
    t.match(response.body, /http_requests_total/);
  }
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, '/health stays public');
  t.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200, '/ready stays public');

  const { app: open } = await testApp();
  t.teardown(() => open.close());
  t.equal((await open.inject({ method: 'GET', url: '/metrics' })).statusCode, 200, 'without METRICS_TOKEN /metrics is public, as before');
});
