/**
 * `@pm/lock/redis`: the instance lock as a Redis lease with a fencing token. Takes the app's own
 * ioredis or node-redis client; imports neither.
 *
 * @example
 * import Redis from 'ioredis';
 * import { acquireInstanceLock } from '@pm/lock';
 * import { redisBackend } from '@pm/lock/redis';
 *
 * const backend = redisBackend({ client: new Redis(process.env.REDIS_URL) });
 * const lock = await acquireInstanceLock({ name: 'scheduler', backend });
 * console.log(lock.fencingToken); // pass it along with every write the lock protects
 */
export { redisBackend, type RedisLockBackend } from './redis-backend.js';
export { redisBackendDefaults, type RedisBackendOptions } from './options.js';
export type { RedisClientLike, IoRedisLike, NodeRedisLike } from './client.js';
