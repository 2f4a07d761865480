// One way to send a command through either Redis client, without importing either: the backend
// speaks raw commands (EVALSHA/EVAL/GET/PTTL), which both clients pass through unchanged.

/** The part of an ioredis `Redis`/`Cluster` client the backend uses. */
export interface IoRedisLike {
  call(command: string, args: (string | number)[]): Promise<unknown>;
  readonly options?: { host?: string; port?: number; path?: string; db?: number };
}

/** The part of a node-redis v4/v5 client the backend uses. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
  readonly options?: { url?: string; database?: number; socket?: { host?: string; port?: number; path?: string } } | undefined;
}

/** A Redis client from ioredis or node-redis. */
export type RedisClientLike = IoRedisLike | NodeRedisLike;

/** Sends one command and resolves with its reply; rejects with the client's error. */
export type SendCommand = (args: string[]) => Promise<unknown>;

/** True for an object that looks like one of the supported clients. */
export function isRedisClient(value: unknown): value is RedisClientLike {
  if (typeof value !== 'object' || value === null) return false;
  const client = value as Record<string, unknown>;
  return typeof client.call === 'function' || typeof client.sendCommand === 'function';
}

/** A command sender for the client, whichever library made it. */
export function commandSender(client: RedisClientLike): SendCommand {
  // node-redis also has no `call`; ioredis has no `sendCommand` with this shape (its own takes a Command object).
  if (typeof (client as IoRedisLike).call === 'function') {
    const io = client as IoRedisLike;
    return async ([command, ...args]) => io.call(command!, args);
  }
  const nodeRedis = client as NodeRedisLike;
  // node-redis throws synchronously when the client is closed; `async` turns that into a rejection.
  return async (args) => nodeRedis.sendCommand(args);
}

/** `redis://host:port/db` of the client, for messages; `redis` when it cannot be told. */
export function describeClient(client: RedisClientLike): string {
  try {
    const options = (client as { options?: Record<string, unknown> }).options;
    if (!options) return 'redis';
    if (typeof options.url === 'string') return redactUrl(options.url);
    const socket = (options.socket ?? options) as { host?: string; port?: number; path?: string };
    const db = (options.db ?? options.database ?? 0) as number;
    if (socket.path) return `redis+unix://${socket.path}`;
    return `redis://${socket.host ?? 'localhost'}:${socket.port ?? 6379}/${db}`;
  } catch {
    return 'redis';
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}
