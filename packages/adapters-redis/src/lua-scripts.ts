import { createHash } from 'node:crypto';

/** A Lua script run with EVALSHA (loaded on every (re)connection; EVAL when the server lost it). */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
}

function lua(name: string, source: string): LuaScript {
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * A generation that was never handed out for this scope: the server's clock in microseconds.
 * Used when a scope's generation key is missing (first use, or evicted): restarting from 0 could
 * make a stamp taken before the eviction valid again.
 */
const FRESH_GENERATION = `local function fresh_generation()
  local t = redis.call('TIME')
  return t[1] .. string.format('%06d', tonumber(t[2]))
end
`;

/**
 * KEYS: epoch, gen:<scope>. ARGV: value key prefix (`val:<scope>:`), key.
 * Returns {epoch, generation, value}; '' for an absent epoch or value.
 */
export const CACHE_GET = lua(
  'cache-get',
  `${FRESH_GENERATION}
local epoch = redis.call('GET', KEYS[1])
if not epoch then return {'', '', ''} end
local gen = redis.call('GET', KEYS[2])
if not gen then
  gen = fresh_generation()
  redis.call('SET', KEYS[2], gen)
end
local value = redis.call('GET', ARGV[1] .. epoch .. ':' .. gen .. ':' .. ARGV[2])
return {epoch, gen, value or ''}
`,
);

/**
 * KEYS: epoch, gen:<scope>, the value key of the stamp. ARGV: stamp epoch, stamp generation,
 * value, ttl in ms. Writes only if the epoch and the generation are still the stamp's.
 */
export const CACHE_PUT = lua(
  'cache-put',
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4])
return 1
`,
);

/** KEYS: gen:<scope> for each scope. Moves every generation to a value never used before. */
export const CACHE_INVALIDATE = lua(
  'cache-invalidate',
  `${FRESH_GENERATION}
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('INCR', key) else redis.call('SET', key, fresh_generation()) end
end
return #KEYS
`,
);

/** KEYS: the window's key. ARGV: window in ms. Returns {count, ms until the window closes}. */
export const RATE_LIMIT_HIT = lua(
  'rate-limit-hit',
  `local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`,
);

/**
 * KEYS: deny:<id>. ARGV: until (epoch ms), remaining life in ms. Never shortens an existing
 * denial.
 */
export const DENY = lua(
  'deny',
  `local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if current >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`,
);

export const ALL_SCRIPTS: readonly LuaScript[] = [CACHE_GET, CACHE_PUT, CACHE_INVALIDATE, RATE_LIMIT_HIT, DENY];
