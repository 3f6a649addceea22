export { openRedis, type RedisAdapters, type RedisOptions, type RedisStats } from './open-redis.js';
export type { RedisLog } from './redis-connection.js';
