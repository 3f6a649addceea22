import { Writable } from 'node:stream';
import { createBanking, DEFAULT_PAGE_SIZE, type Banking, type RateLimitStore } from '@banking/domain';
import { memoryBanking, MemoryRateLimitStore } from '@banking/testing';
import t from 'tap';
import { ExactDecimal, serializeJson } from '../src/http/exact-decimal.js';
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
  return { ...banking, [name]: { execute: async () => Promise.reject(error) } } as Banking;
}

t.test('health, readiness, metrics', async (t) => {
  let databaseUp = true;
  const { app } = await testApp({
    deps: {
      readiness: [
        { name: 'database', check: async () => (databaseUp ? undefined : Promise.reject(new Error('connection refused: password=hunter2'))) },
        { name: 'redis', check: async () => undefined },
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

  await t.test('/ready: 503 problem naming the failing dependency, no internals', async (t) => {
    databaseUp = false;
    const response = await app.inject({ method: 'GET', url: '/ready' });
    databaseUp = true;
    t.equal(response.statusCode, 503);
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(json(response), { status: 503, code: 'not_ready', detail: /database/, failing: ['database'], checks: { database: 'unavailable', redis: 'ok' } });
    t.notMatch(response.body, /hunter2|refused/);
  });

  await t.test('/ready: a check that hangs counts as down', async (t) => {
    const hanging = await testApp({ deps: { readiness: [{ name: 'redis', check: () => new Promise(() => {}) }], readinessTimeoutMs: 100 } });
    t.teardown(() => hanging.app.close());
    const response = await hanging.app.inject({ method: 'GET', url: '/ready' });
    t.equal(response.statusCode, 503);
    t.match(json(response), { failing: ['redis'] });
  });

  await t.test('/ready: 503 once shutdown began, so load balancers stop sending', async (t) => {
    const { default: Fastify } = await import('fastify');
    const { default: errorsPlugin } = await import('../src/plugins/errors.plugin.js');
    const { operationsRoutes } = await import('../src/routes/operations.routes.js');
    const bare = Fastify();
    t.teardown(() => bare.close());
    await bare.register(errorsPlugin);
    await bare.register(operationsRoutes, { readiness: [{ name: 'database', check: async () => undefined }], isClosing: () => true });
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

  await t.test('/docs and /openapi.json are not rate limited', async (t) => {
    for (let i = 0; i < 4; i++) {
      t.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200);
      const docs = await app.inject({ method: 'GET', url: '/docs' });
      t.ok([200, 302].includes(docs.statusCode));
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
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { name: 'DatabaseUnavailable' });
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

  await t.test('a failing or stalled store never produces a 500: counting goes on in-process', async (t) => {
    const failing: RateLimitStore = { hit: async () => Promise.reject(new Error('ECONNREFUSED redis')) };
    const { app } = await testApp({ rateLimitStore: failing, config: { RATE_LIMIT_PER_MINUTE: '3' } });
    t.teardown(() => app.close());
    const alice = await signUp(app);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await app.inject({ method: 'GET', url: `${API}/accounts`, headers: alice.headers })).statusCode);
    t.same(statuses, [200, 200, 200, 429, 429]);

    const stalled: RateLimitStore = { hit: () => new Promise(() => {}) };
    const slow = await testApp({ rateLimitStore: stalled, config: { RATE_LIMIT_PER_MINUTE: '1' } });
    t.teardown(() => slow.app.close());
    const first = await slow.app.inject({ method: 'GET', url: `${API}/accounts`, remoteAddress: '10.4.0.1' });
    const second = await slow.app.inject({ method: 'GET', url: `${API}/accounts`, remoteAddress: '10.4.0.1' });
    t.same([first.statusCode, second.statusCode], [401, 429]);

    const garbage: RateLimitStore = { hit: async () => ({ count: Number.NaN, resetInMs: Number.NaN }) };
    const odd = await testApp({ rateLimitStore: garbage });
    t.teardown(() => odd.app.close());
    t.equal((await odd.app.inject({ method: 'GET', url: `${API}/accounts` })).statusCode, 401);
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

t.test('money serialisation: the JSON number text carries every digit', async (t) => {
  const text = serializeJson({
    big: new ExactDecimal('90000000000000.99'),
    list: [new ExactDecimal('0.1'), new ExactDecimal('-12.5'), new ExactDecimal('5')],
    forged: '\u0000decimal:5',
    nested: { amount: new ExactDecimal('1000.5'), note: 'x":1,"y' },
  });
  t.equal(text, '{"big":90000000000000.99,"list":[0.1,-12.5,5],"forged":"\\u0000decimal:5","nested":{"amount":1000.5,"note":"x\\":1,\\"y"}}');
  t.same(JSON.parse(text).list, [0.1, -12.5, 5]);
  for (const bad of ['1e5', 'NaN', '1.', '.5', '01', ' 1', '1,5']) t.throws(() => new ExactDecimal(bad), RangeError, bad);
});
