import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BackendRequest, InspectRequest, InspectResult, LockBackend, TryAcquireResult } from '../backend.js';
import { LockBackendUnavailableError } from '../errors.js';
import type { InstanceLock } from '../instance-lock.js';
import { parseHolderRecord, type HolderRecord } from '../record.js';
import { commandSender, describeClient, type SendCommand } from './client.js';
import { RedisLeaseHandle } from './lease-handle.js';
import { resolveRedisOptions, type RedisBackendOptions } from './options.js';
import { leaseScripts } from './scripts.js';
import { withTimeout } from '../timeout.js';

/** The Redis lease backend, plus a synchronous check of a lease it granted. */
export interface RedisLockBackend extends LockBackend {
  readonly kind: 'redis';
  /**
   * Milliseconds the lease of `lock` is certainly still held (monotonic clock, measured from before the
   * last successful request); 0 once it is lost or released, or for a lock this backend did not grant.
   * Synchronous, so call it right before a side effect: a process that was paused (GC, SIGSTOP, laptop
   * sleep) past its lease learns it here, and the loss is reported (`lock.signal` aborted,
   * `onCompromised` called) before this returns.
   */
  leaseRemaining(lock: Pick<InstanceLock, 'info'>): number;
}

/** Reads a lease value (`{"token","fence","holder"}`) leniently. */
function parseLease(value: unknown): HolderRecord | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseHolderRecord((JSON.parse(value) as { holder?: unknown } | null)?.holder);
  } catch {
    return undefined;
  }
}

/**
 * A lock held as a Redis lease: `SET key value NX PX ttl` with a random token, renewed at ttl/3 and
 * deleted on release by token-checking scripts, with a fencing token from `INCR` on `lock.fencingToken`.
 * A holder that dies frees the lock after at most `ttl`.
 *
 * @example
 * import Redis from 'ioredis';
 * import { acquireInstanceLock } from '@pm/lock';
 * import { redisBackend } from '@pm/lock/redis';
 *
 * const lock = await acquireInstanceLock({ name: 'scheduler', backend: redisBackend({ client: new Redis() }) });
 */
export function redisBackend(options: RedisBackendOptions): RedisLockBackend {
  const { client, ttl, keyPrefix, commandTimeout, pollInterval } = resolveRedisOptions(options);
  const send: SendCommand = commandSender(client);
  const server = describeClient(client);
  const leases = new Map<string, RedisLeaseHandle>();
  // One token per acquisition (kept across its attempts): a retry after a lost reply finds its own lease.
  const tokens = new WeakMap<BackendRequest['acquisition'], string>();

  const keyOf = (name: string) => `${keyPrefix}{${name}}`;
  const locationOf = (name: string) => `${server} key ${keyOf(name)}`;

  const unavailable = (name: string, what: string, cause: unknown) =>
    new LockBackendUnavailableError(
      `Redis did not ${what} for lock "${name}" (${locationOf(name)}): ${(cause as Error)?.message ?? String(cause)}. ` +
        'Check that Redis is running and reachable, that the client is connected (node-redis: await client.connect()), and its credentials.',
      { cause },
    );

  function timed<T>(promise: Promise<T>, name: string, what: string): Promise<T> {
    return withTimeout(promise, commandTimeout, () => new Error(`no reply within ${commandTimeout} ms (commandTimeout)`)).catch(
      (error: unknown) => {
        throw unavailable(name, what, error);
      },
    );
  }

  async function tryAcquire(request: BackendRequest): Promise<TryAcquireResult> {
    const key = keyOf(request.name);
    let token = tokens.get(request.acquisition);
    if (!token) {
      // 122 random bits; randomUUID draws from a cached entropy pool, several times cheaper than randomBytes.
      token = randomUUID().replaceAll('-', '');
      tokens.set(request.acquisition, token);
    }
    const requestedAt = performance.now();
    const pending = leaseScripts.acquire.run(send, [key, `${key}:fence`], [token, String(ttl), JSON.stringify(request.record)]);
    let reply: unknown;
    try {
      reply = await timed(pending, request.name, 'answer the lease request');
    } catch (error) {
      // The request may still reach Redis later (clients queue commands while reconnecting): if it
      // sets our lease then, delete it rather than block everyone until its ttl.
      pending.then(
        (late) => {
          if (Array.isArray(late) && Number(late[0]) === 1) void leaseScripts.release.run(send, [key], [token]).catch(() => undefined);
        },
        () => undefined,
      );
      throw error;
    }
    if (!Array.isArray(reply))
      throw unavailable(request.name, 'answer the lease request as expected', new Error(`unexpected reply ${JSON.stringify(reply)}`));
    if (Number(reply[0]) === 1) {
      if (performance.now() - requestedAt >= ttl) {
        void leaseScripts.release.run(send, [key], [token]).catch(() => undefined);
        throw unavailable(
          request.name,
          'answer the lease request within the lease ttl',
          new Error(`the reply took longer than ttl (${ttl} ms)`),
        );
      }
      tokens.delete(request.acquisition);
      const instanceId = request.record.instanceId;
      const handle = new RedisLeaseHandle({
        send,
        key,
        token,
        ttl,
        commandTimeout,
        requestedAt,
        fencingToken: Number(reply[1]),
        location: locationOf(request.name),
        logger: request.logger,
        onEnd: () => leases.delete(instanceId),
      });
      leases.set(instanceId, handle);
      return { acquired: true, handle };
    }
    return {
      acquired: false,
      holder: parseLease(reply[1]),
      location: locationOf(request.name),
      waitForChange: (ms) => waitForLease(key, request.name, ms),
    };
  }

  /** Sleeps about `pollInterval` (jittered), or until 1 ms after the holder's lease would end, whichever is first. */
  async function waitForLease(key: string, name: string, ms: number): Promise<void> {
    let wake = pollInterval * (0.5 + Math.random());
    try {
      const pttl = Number(await timed(send(['PTTL', key]), name, 'answer PTTL'));
      if (pttl > 0) wake = Math.min(wake, pttl + 1);
      else if (pttl === -2) wake = 0; // gone already: retry now (-1, a key without expiry, keeps the poll)
    } catch {
      // Unreachable now: the next attempt reports it.
    }
    await sleep(Math.min(ms, wake));
  }

  async function inspect(request: InspectRequest): Promise<InspectResult> {
    const value = await timed(send(['GET', keyOf(request.name)]), request.name, 'answer GET');
    const location = locationOf(request.name);
    if (value === null || value === undefined) return { state: 'free', location };
    const holder = parseLease(value);
    // An expired lease is gone from Redis, so a lease that is there is held (until its ttl runs out).
    return holder ? { state: 'held', holder, location } : { state: 'held', location };
  }

  return {
    kind: 'redis',
    tryAcquire,
    inspect,
    leaseRemaining: (lock) => leases.get(lock.info.instanceId)?.remaining() ?? 0,
  };
}
