import { NoReadCache } from '@banking/adapters-memory';
import type { Cache } from '@banking/domain';
import t from 'tap';
import { ConfigError, parseConfig } from '../src/config.js';

// The Redis wiring's configuration variables and the cache that CACHE_TTL_SECONDS=0 chooses.

await t.test('REDIS_KEY_PREFIX and CACHE_TTL_SECONDS', async (t) => {
  const defaults = parseConfig({}).config;
  t.equal(defaults.redisKeyPrefix, 'bank:', 'REDIS_KEY_PREFIX defaults to bank:');
  t.equal(defaults.cacheTtlSeconds, 60, 'CACHE_TTL_SECONDS defaults to 60');
  t.equal(parseConfig({ REDIS_KEY_PREFIX: 'staging:bank:' }).config.redisKeyPrefix, 'staging:bank:');
  t.equal(parseConfig({ CACHE_TTL_SECONDS: '0' }).config.cacheTtlSeconds, 0, '0 turns the read cache off');
  for (const [name, value] of [
    ['REDIS_KEY_PREFIX', 'has space'],
    ['REDIS_KEY_PREFIX', 'x'.repeat(129)],
    ['CACHE_TTL_SECONDS', '-1'],
    ['CACHE_TTL_SECONDS', '1.5'],
    ['CACHE_TTL_SECONDS', '86401'],
  ] as const) {
    let problems: readonly string[] = [];
    try {
      parseConfig({ [name]: value });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    t.ok(problems.length === 1 && problems[0]!.startsWith(`${name}=`), `${name}=${value.slice(0, 12)} refused with one line naming the variable`);
  }
  const none: Cache = new NoReadCache();
  await none.put('user:1', 'k', 'no-cache', 1, 60);
  t.same(await none.get('user:1', 'k'), { hit: false, stamp: 'no-cache' }, 'CACHE_TTL_SECONDS=0: every read misses');
});
