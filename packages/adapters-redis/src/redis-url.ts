/**
 * The Redis URL from the environment: `REDIS_URL`, else `REDIS_HOST` (+ `REDIS_PORT`, default
 * 6379, and `REDIS_DB`, default 0); undefined when neither is set (no Redis configured).
 */
export function redisUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const url = env['REDIS_URL']?.trim();
  if (url) return url;
  const host = env['REDIS_HOST']?.trim();
  if (!host) return undefined;
  const port = env['REDIS_PORT']?.trim() || '6379';
  const db = env['REDIS_DB']?.trim() || '0';
  return `redis://${host.includes(':') ? `[${host}]` : host}:${port}/${db}`;
}
