// Holds a Redis lock until killed, for the takeover part of lock-redis.bench.mjs.
// argv: kind (pm | redlock | sesame), resource, key prefix, ttl. Prints "held" once it holds.
import { Redis } from 'ioredis';

const [kind, resource, keyPrefix, ttl] = process.argv.slice(2);
const client = new Redis();
if (kind === 'pm') {
  const { acquireInstanceLock } = await import('@pm/lock');
  const { redisBackend } = await import('@pm/lock/redis');
  await acquireInstanceLock({ name: resource, backend: redisBackend({ client, keyPrefix, ttl: Number(ttl) }) });
} else if (kind === 'redlock') {
  const { default: Redlock } = await import('redlock');
  await new Redlock([client]).acquire([resource], Number(ttl));
} else {
  const { Redlock } = await import('@sesamecare-oss/redlock');
  await new Redlock([client]).acquire([resource], Number(ttl));
}
console.log('held');
setInterval(() => {}, 1 << 30);
