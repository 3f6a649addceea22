import t, { type Test } from 'tap';
import { startApi, type ApiProcess } from './support/api-process.js';
import { API, call, metric, signUp, type Answer } from './support/http-client.js';
import { freshDatabase, MACHINE_REDIS_URL, redisCli, redisPrefix, requireServices } from './support/services.js';

// Two real API processes (dist/main.js) sharing the machine's Redis (random key prefix): every
// limit is one count across both, exact under concurrent load. TRUST_PROXY=true lets a request
// name its client IP in X-Forwarded-For, so each check controls which IP counts.

const LIMIT = 30;
const AUTH_LIMIT = 5;

if (await requireServices(t)) {
  const db = await freshDatabase(t);
  const prefix = redisPrefix(t);
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: MACHINE_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    RATE_LIMIT_PER_MINUTE: String(LIMIT),
    AUTH_RATE_LIMIT_PER_MINUTE: String(AUTH_LIMIT),
    TRUST_PROXY: 'true',
  };
  const one = await startApi(t, 'A', env);
  const two = await startApi(t, 'B', env);
  const instances: readonly ApiProcess[] = [one, two];
  const base = (i: number): string => instances[i % 2]!.url;
  const ip = (n: number): { 'x-forwarded-for': string } => ({ 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` });
  const user = await signUp(one.url, ip(1));

  const byStatus = (answers: readonly Answer[]) => {
    const counts: Record<number, number> = {};
    for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
    return counts;
  };
  const num = (a: Answer, header: string): number => Number(a.headers.get(header));

  /** Every 429 is the contract's: problem+json `rate_limited` with RateLimit-* and Retry-After. */
  const checkRefusals = (t: Test, refused: readonly Answer[], limit: number) => {
    const wrong = refused.filter(
      (a) =>
        !(a.headers.get('content-type') ?? '').startsWith('application/problem+json') ||
        a.body?.code !== 'rate_limited' ||
        a.body?.status !== 429 ||
        typeof a.body?.type !== 'string' ||
        typeof a.body?.title !== 'string' ||
        typeof a.body?.detail !== 'string' ||
        num(a, 'ratelimit-limit') !== limit ||
        num(a, 'ratelimit-remaining') !== 0 ||
        !(num(a, 'ratelimit-reset') >= 1 && num(a, 'ratelimit-reset') <= 60) ||
        !(num(a, 'retry-after') >= 1 && num(a, 'retry-after') <= 60),
    );
    t.same(
      wrong.map((a) => ({ headers: Object.fromEntries(a.headers), body: a.body })),
      [],
      `all ${refused.length} refusals are 429 problem+json rate_limited with RateLimit-Limit/Remaining/Reset and Retry-After`,
    );
  };

  await t.test(`per user: ${3 * LIMIT} concurrent requests over both instances, exactly ${LIMIT} pass`, async (t) => {
    const answers = await Promise.all(
      Array.from({ length: 3 * LIMIT }, (_, i) => call(base(i), 'GET', `${API}/accounts`, { token: user.accessToken, headers: ip(1000 + i) })),
    );
    t.same(byStatus(answers), { 200: LIMIT, 429: 2 * LIMIT }, `${LIMIT} × 200, ${2 * LIMIT} × 429`);
    const passed = answers.filter((a) => a.status === 200);
    t.ok(
      passed.every((a) => num(a, 'ratelimit-limit') === LIMIT),
      'answers that passed carry RateLimit-Limit',
    );
    t.same(
      passed.map((a) => num(a, 'ratelimit-remaining')).sort((x, y) => x - y),
      Array.from({ length: LIMIT }, (_, i) => i),
      'RateLimit-Remaining counts down once per request across both instances (one shared count)',
    );
    checkRefusals(t, answers.filter((a) => a.status === 429), LIMIT);
    t.equal(await redisCli(MACHINE_REDIS_URL, ['GET', `${prefix}rl:rl:user:${user.id}`]), String(3 * LIMIT), 'Redis holds the one count: every hit of both instances');
  });

  await t.test(`per IP (no token): ${2 * LIMIT} concurrent requests over both instances, exactly ${LIMIT} reach the route`, async (t) => {
    const answers = await Promise.all(Array.from({ length: 2 * LIMIT }, (_, i) => call(base(i), 'GET', `${API}/accounts`, { headers: ip(2) })));
    t.same(byStatus(answers), { 401: LIMIT, 429: LIMIT }, `${LIMIT} × 401 (reached authentication), ${LIMIT} × 429`);
    checkRefusals(t, answers.filter((a) => a.status === 429), LIMIT);
  });

  await t.test(`login per email: ${3 * AUTH_LIMIT} concurrent attempts from distinct IPs over both instances, exactly ${AUTH_LIMIT} checked (the sign-up's login included)`, async (t) => {
    // Signed up here, just before the attempts: the email's one-minute window starts with this
    // sign-up's login, however long the tests before took on a loaded machine.
    const user = await signUp(one.url, ip(6));
    const answers = await Promise.all(
      Array.from({ length: 3 * AUTH_LIMIT }, (_, i) =>
        call(base(i), 'POST', `${API}/auth/login`, { json: { email: ` ${user.email.toUpperCase()} `, password: 'wrong-password' }, headers: ip(3000 + i) }),
      ),
    );
    // The sign-up's login was the email's first attempt in this window.
    t.same(byStatus(answers), { 401: AUTH_LIMIT - 1, 429: 2 * AUTH_LIMIT + 1 }, `${AUTH_LIMIT - 1} × 401 invalid_credentials, ${2 * AUTH_LIMIT + 1} × 429`);
    t.ok(answers.filter((a) => a.status === 401).every((a) => a.body.code === 'invalid_credentials'), 'the checked ones are invalid_credentials');
    checkRefusals(t, answers.filter((a) => a.status === 429), AUTH_LIMIT);
    const right = await call(one.url, 'POST', `${API}/auth/login`, { json: { email: user.email, password: user.password }, headers: ip(4000) });
    t.equal(right.status, 429, 'even the right password waits for the window: the email is limited, not the answer');
  });

  await t.test(`auth per IP: ${3 * AUTH_LIMIT} concurrent logins (distinct emails) from one IP over both instances, exactly ${AUTH_LIMIT} checked`, async (t) => {
    const answers = await Promise.all(
      Array.from({ length: 3 * AUTH_LIMIT }, (_, i) =>
        call(base(i), 'POST', `${API}/auth/login`, { json: { email: `nobody${i}@example.com`, password: 'wrong-password' }, headers: ip(5) }),
      ),
    );
    t.same(byStatus(answers), { 401: AUTH_LIMIT, 429: 2 * AUTH_LIMIT }, `${AUTH_LIMIT} × 401, ${2 * AUTH_LIMIT} × 429`);
    checkRefusals(t, answers.filter((a) => a.status === 429), AUTH_LIMIT);
  });

  await t.test('the counts were Redis’, not the in-process fallback', async (t) => {
    for (const api of instances) {
      t.equal(await metric(api.url, 'banking_redis_rate_limit_fallbacks'), 0, `${api.name}: no fallback`);
      t.equal(await metric(api.url, 'banking_redis_connected'), 1, `${api.name}: connected`);
    }
  });
}
