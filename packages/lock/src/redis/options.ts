import { InvalidLockOptionsError } from '../errors.js';
import { isRedisClient, type RedisClientLike } from './client.js';

/** Options of {@link redisBackend}. */
export interface RedisBackendOptions {
  /**
   * A connected Redis client: an ioredis `Redis` (or `Cluster`) or a node-redis v4/v5 client
   * (`createClient()`, after `await client.connect()`). The backend only sends commands through it;
   * it never connects, quits or listens to it, and never imports either library.
   */
  client: RedisClientLike;
  /**
   * Lease length in milliseconds. The holder renews it every `ttl / 3`; a holder that dies frees the
   * lock after at most `ttl`; a holder that cannot renew (or is paused) for `ttl` reports the lock
   * compromised at that moment, not later.
   * @default 10000
   */
  ttl?: number;
  /**
   * Prefix of the keys: the lease is `<prefix>{<name>}` and its fencing counter `<prefix>{<name>}:fence`
   * (the braces keep both in one Redis Cluster slot). The counter never expires, so tokens keep increasing.
   * @default 'pm:lock:'
   */
  keyPrefix?: string;
  /**
   * Milliseconds to wait for any one Redis reply (including the client's own reconnecting) before the
   * attempt fails with `PM_LOCK_BACKEND_UNAVAILABLE`.
   * @default 5000
   */
  commandTimeout?: number;
  /**
   * How often (ms) a waiting `acquireInstanceLock({ wait })` re-tries a busy lock, with ±50% jitter. A
   * waiter also wakes 1 ms after the holder's lease would end, so a dead holder's lock is taken at once.
   * @default 100
   */
  pollInterval?: number;
}

/** Defaults of {@link RedisBackendOptions}, in one place (the docs are tested against it). */
export const redisBackendDefaults = {
  ttl: 10_000,
  keyPrefix: 'pm:lock:',
  commandTimeout: 5000,
  pollInterval: 100,
} as const;

/** Options after defaults and validation. */
export type ResolvedRedisOptions = Required<RedisBackendOptions>;

const positiveInt = (value: unknown, min: number) => typeof value === 'number' && Number.isInteger(value) && value >= min;

/** Validates every option and reports every problem at once. */
export function resolveRedisOptions(options: RedisBackendOptions): ResolvedRedisOptions {
  const problems: string[] = [];
  const resolved = { ...redisBackendDefaults, ...stripUndefined(options) } as ResolvedRedisOptions;
  if (!isRedisClient(options?.client)) {
    problems.push('client must be a connected ioredis client (with .call) or node-redis client (with .sendCommand)');
  }
  if (!positiveInt(resolved.ttl, 100))
    problems.push(`ttl must be an integer number of milliseconds >= 100 (got ${JSON.stringify(resolved.ttl)})`);
  if (typeof resolved.keyPrefix !== 'string') problems.push(`keyPrefix must be a string (got ${JSON.stringify(resolved.keyPrefix)})`);
  if (!positiveInt(resolved.commandTimeout, 1)) {
    problems.push(`commandTimeout must be an integer number of milliseconds >= 1 (got ${JSON.stringify(resolved.commandTimeout)})`);
  }
  if (!positiveInt(resolved.pollInterval, 1)) {
    problems.push(`pollInterval must be an integer number of milliseconds >= 1 (got ${JSON.stringify(resolved.pollInterval)})`);
  }
  if (problems.length > 0) throw new InvalidLockOptionsError(problems);
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
