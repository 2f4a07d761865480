import { assertNoProblems, commonProblems, definition, since, type BuiltInCheckOptions } from './define.js';
import { withDetails } from './details.js';
import type { CheckDefinition } from '../health/options.js';

/** An ioredis client (or Cluster): `status` tells the connection state. */
interface IoRedisLike {
  status: string;
  ping(): Promise<unknown>;
}

/** A node-redis v4/v5 client: `isOpen` / `isReady` tell the connection state. */
interface NodeRedisLike {
  isOpen: boolean;
  isReady: boolean;
  ping(): Promise<unknown>;
}

/** What `redisCheck` accepts: an ioredis or a node-redis client (typed structurally: no driver types needed). */
export type RedisClientLike = IoRedisLike | NodeRedisLike;

/** Options of `redisCheck`. */
export type RedisCheckOptions = BuiltInCheckOptions;

const isIoRedis = (client: unknown): client is IoRedisLike => typeof (client as IoRedisLike).status === 'string';
const isNodeRedis = (client: unknown): client is NodeRedisLike => typeof (client as NodeRedisLike).isReady === 'boolean';

// ioredis states in which a PING would only wait in the offline queue (or fail): report them at once.
const IOREDIS_DOWN = new Set(['close', 'end', 'reconnecting']);

/** The connection state in one word, or undefined when it looks usable. */
function knownDown(client: RedisClientLike): string | undefined {
  if (isIoRedis(client)) return IOREDIS_DOWN.has(client.status) ? client.status : undefined;
  if (!client.isOpen) return 'closed';
  // Open but not ready: connecting, in its handshake, or reconnecting; a PING would only be queued.
  return client.isReady ? undefined : 'not ready';
}

const stateOf = (client: RedisClientLike): string =>
  isIoRedis(client) ? client.status : client.isReady ? 'ready' : client.isOpen ? 'not ready' : 'closed';

/**
 * Checks Redis with `PING` on an ioredis or node-redis client you already have (nothing is imported).
 * Reports `latencyMs` and the client's `state`. When the client already knows its connection is down
 * (ioredis `reconnecting`/`close`/`end`; node-redis closed, or open but not ready: connecting or reconnecting) the check fails at once
 * instead of waiting for a PING that sits in the offline queue.
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) when `client` is neither, or an option is wrong
 */
export function redisCheck(client: RedisClientLike, options: RedisCheckOptions = {}): CheckDefinition {
  const problems = commonProblems(options, []);
  const known = typeof client === 'object' && client !== null && typeof client.ping === 'function';
  if (!known || (!isIoRedis(client) && !isNodeRedis(client))) {
    problems.unshift('client must be an ioredis client (with status) or a node-redis client (with isReady), with ping()');
  }
  assertNoProblems('redisCheck', problems);

  const check = async () => {
    const down = knownDown(client);
    if (down !== undefined) throw withDetails(new Error(`Redis connection is ${down}`), { state: down });
    const start = performance.now();
    try {
      await client.ping();
    } catch (error) {
      throw withDetails(error instanceof Error ? error : new Error(String(error)), { latencyMs: since(start), state: stateOf(client) });
    }
    return withDetails({}, { latencyMs: since(start), state: stateOf(client) });
  };
  return definition(options, check);
}
