import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeTempDir, sleep, spawnFixture, waitFor } from '@pm/test-utils';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireInstanceLock, InstanceAlreadyRunningError, inspectInstanceLock, type InstanceLock } from '../src/index.js';
import { redisBackend, redisBackendDefaults, type RedisClientLike } from '../src/redis/index.js';
import { fixture } from './helpers.js';
import { binariesAvailable, checkJournal, serviceAvailable, services, startPrivateRedis } from './services.js';

const up = await serviceAvailable('redis');
// Every key of this run lives under its own prefix, so concurrent runs never meet; removed afterwards.
const keyPrefix = `pm:test:${randomUUID().slice(0, 8)}:`;
const { host, port } = services.redis;

describe.skipIf(!up)('Redis backend', () => {
  let io: Redis;
  let nodeRedis: ReturnType<typeof createClient>;
  let admin: Redis;

  beforeAll(async () => {
    io = new Redis({ host, port });
    admin = new Redis({ host, port });
    nodeRedis = createClient({ socket: { host, port } });
    await nodeRedis.connect();
  });

  afterAll(async () => {
    if (!admin) return;
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    io.disconnect();
    admin.disconnect();
    nodeRedis.destroy();
  });

  const holderFixture = (args: string[], env: Record<string, string> = {}) =>
    spawnFixture(fixture('redis-holder.mjs'), { args, env: { REDIS_PORT: String(port), ...env } });

  describe.each(['ioredis', 'node-redis'])('with %s', (kind) => {
    const client = () => (kind === 'ioredis' ? io : nodeRedis) as RedisClientLike;

    it('acquires, refuses a second holder naming the first, inspects, releases (twice), and reacquires', async () => {
      const backend = redisBackend({ client: client(), keyPrefix });
      const name = `basic-${kind}`;
      const lock = await acquireInstanceLock({ name, backend, port: 3000, releaseOnExit: false });
      expect(lock.backend).toBe('redis');
      expect(lock.location).toContain(`${keyPrefix}{${name}}`);
      const stored = JSON.parse((await admin.get(`${keyPrefix}{${name}}`))!);
      expect(stored).toMatchObject({
        fence: lock.fencingToken,
        holder: { pid: process.pid, instanceId: lock.info.instanceId, port: 3000 },
      });
      const pttl = await admin.pttl(`${keyPrefix}{${name}}`);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(redisBackendDefaults.ttl);

      const refused = await acquireInstanceLock({ name, backend }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(InstanceAlreadyRunningError);
      expect(refused).toMatchObject({
        code: 'PM_INSTANCE_RUNNING',
        lock: { pid: process.pid, port: 3000, instanceId: lock.info.instanceId },
      });
      expect(await inspectInstanceLock({ name, backend })).toMatchObject({ state: 'held', holder: { instanceId: lock.info.instanceId } });

      await lock.release();
      await lock.release();
      expect(await admin.exists(`${keyPrefix}{${name}}`)).toBe(0);
      expect(await inspectInstanceLock({ name, backend })).toMatchObject({ state: 'free' });
      const again = await acquireInstanceLock({ name, backend, releaseOnExit: false });
      expect(again.fencingToken).toBe(lock.fencingToken! + 1);
      await again.release();
    });

    it('throwIfCompromised() learns of a lease that ran out during a pause before any timer ran', async () => {
      const backend = redisBackend({ client: client(), keyPrefix, ttl: 200 });
      const lock = await acquireInstanceLock({ name: `pause-${kind}`, backend, releaseOnExit: false });
      expect(() => lock.throwIfCompromised()).not.toThrow();
      const until = performance.now() + 300;
      while (performance.now() < until); // a pause: the event loop is blocked past the ttl
      expect(() => lock.throwIfCompromised()).toThrow(expect.objectContaining({ code: 'PM_LOCK_COMPROMISED' }));
      expect(lock.compromised).toBe(true);
      await lock.release();
    });

    it('renews the lease at ttl/3 and keeps it past several ttls', async () => {
      const backend = redisBackend({ client: client(), keyPrefix, ttl: 300 });
      const lock = await acquireInstanceLock({ name: `renew-${kind}`, backend, releaseOnExit: false });
      await sleep(1000);
      expect(lock.compromised).toBe(false);
      expect(backend.leaseRemaining(lock)).toBeGreaterThan(0);
      expect(await admin.pttl(`${keyPrefix}{renew-${kind}}`)).toBeGreaterThan(0);
      await lock.release();
      expect(backend.leaseRemaining(lock)).toBe(0);
    });

    it('reports the lease compromised, once, when its key is deleted behind its back; release is then a no-op', async () => {
      const backend = redisBackend({ client: client(), keyPrefix, ttl: 600 });
      const reports: unknown[] = [];
      const lock = await acquireInstanceLock({
        name: `deleted-${kind}`,
        backend,
        releaseOnExit: false,
        onCompromised: (e) => reports.push(e),
      });
      await admin.del(`${keyPrefix}{deleted-${kind}}`);
      const deletedAt = performance.now();
      await waitFor(() => lock.compromised, { timeout: 5000, message: 'compromised' });
      // Found by the next renewal (every ttl/3), not by the lease running out.
      expect(lock.signal.reason).toMatchObject({
        code: 'PM_LOCK_COMPROMISED',
        message: expect.stringContaining('is no longer held by this process'),
      });
      expect(performance.now() - deletedAt).toBeLessThan(3000);
      await sleep(500);
      expect(reports).toHaveLength(1);
      // Someone else takes it; our release must not touch their lease.
      const other = await acquireInstanceLock({ name: `deleted-${kind}`, backend, releaseOnExit: false });
      await lock.release();
      expect(await inspectInstanceLock({ name: `deleted-${kind}`, backend })).toMatchObject({
        state: 'held',
        holder: { instanceId: other.info.instanceId },
      });
      await other.release();
    });
  });

  it('two lock names do not interfere', async () => {
    const backend = redisBackend({ client: io, keyPrefix });
    const a = await acquireInstanceLock({ name: 'name-a', backend, releaseOnExit: false });
    const b = await acquireInstanceLock({ name: 'name-b', backend, releaseOnExit: false });
    await a.release();
    expect(await inspectInstanceLock({ name: 'name-b', backend })).toMatchObject({
      state: 'held',
      holder: { instanceId: b.info.instanceId },
    });
    await b.release();
  });

  it('a waiter takes the lock promptly when the holder releases', async () => {
    const backend = redisBackend({ client: io, keyPrefix });
    const holder = await acquireInstanceLock({ name: 'handoff', backend, releaseOnExit: false });
    const waiting = acquireInstanceLock({
      name: 'handoff',
      backend: redisBackend({ client: nodeRedis, keyPrefix }),
      wait: 10_000,
      releaseOnExit: false,
    });
    await sleep(300);
    const releasedAt = performance.now();
    await holder.release();
    const next = await waiting;
    expect(performance.now() - releasedAt).toBeLessThan(3000);
    expect(next.fencingToken).toBeGreaterThan(holder.fencingToken!);
    await next.release();
  });

  it('16 processes × 15 acquisitions with wait never overlap, and fencing tokens strictly increase (journal check)', async () => {
    const dir = makeTempDir();
    const journal = join(dir, 'journal.log');
    writeFileSync(journal, '');
    const workers = Array.from({ length: 16 }, (_, i) =>
      spawnFixture(fixture('redis-journal-worker.mjs'), {
        args: [i % 2 ? 'node-redis' : 'ioredis', 'journal', keyPrefix, journal, '15'],
        env: { REDIS_PORT: String(port) },
      }),
    );
    const results = await Promise.all(workers.map((w) => w.exited));
    expect(results.map((r) => r.code)).toEqual(Array(16).fill(0));
    const { entries, fences } = checkJournal(readFileSync(journal, 'utf8'));
    expect(entries).toBe(16 * 15);
    for (let i = 1; i < fences.length; i++) expect(fences[i]).toBeGreaterThan(fences[i - 1]!);
  }, 60_000);

  it('holder SIGKILLed: the lock stays held until its ttl runs out, then a waiter takes it', async () => {
    const holder = holderFixture(['ioredis', 'sigkill', keyPrefix, '1000']);
    await holder.waitForLine(/^acquired/);
    const waiter = holderFixture(['node-redis', 'sigkill', keyPrefix, '1000', '10000']);
    holder.kill('SIGKILL');
    await holder.exited;
    const killedAt = performance.now();
    expect(await inspectInstanceLock({ name: 'sigkill', backend: redisBackend({ client: io, keyPrefix }) })).toMatchObject({
      state: 'held',
      holder: { pid: holder.pid },
    });
    await waiter.waitForLine(`acquired ${waiter.pid}`, 5000);
    const elapsed = performance.now() - killedAt;
    // The lease was renewed at most ttl/3 before the kill, so it had 667..1000 ms left.
    expect(elapsed).toBeGreaterThan(400);
    expect(elapsed).toBeLessThan(5000);
  });

  it('a paused holder (SIGSTOP past its ttl) learns it lost the lease before doing more work', async () => {
    const holder = holderFixture(['ioredis', 'paused', keyPrefix, '600'], { WORK_TICK: '20' });
    await holder.waitForLine(/^acquired/);
    await holder.waitForLine('work');
    holder.kill('SIGSTOP');
    await sleep(1200);
    const taker = await acquireInstanceLock({
      name: 'paused',
      backend: redisBackend({ client: io, keyPrefix }),
      wait: 2000,
      releaseOnExit: false,
    });
    const seen = holder.stdout.length;
    holder.kill('SIGCONT');
    await holder.waitForLine(/^compromised PM_LOCK_COMPROMISED/, 10_000);
    await sleep(100);
    const afterWake = holder.stdout.slice(seen);
    expect(afterWake, afterWake.join('\n')).not.toContain('work');
    await taker.release();
  });

  it('CLIENT KILL of the holder connection: ioredis reconnects and keeps the lease (it is not tied to a connection)', async () => {
    const client = new Redis({ host, port });
    try {
      const backend = redisBackend({ client, keyPrefix, ttl: 600 });
      const lock = await acquireInstanceLock({ name: 'kill-io', backend, releaseOnExit: false });
      const id = await client.client('ID');
      await admin.client('KILL', 'ID', String(id));
      await sleep(1500);
      expect(lock.compromised).toBe(false);
      expect(backend.leaseRemaining(lock)).toBeGreaterThan(0);
      await lock.release();
    } finally {
      client.disconnect();
    }
  });

  it('CLIENT KILL of a holder connection that does not come back: compromised reported at the ttl', async () => {
    const client = createClient({ socket: { host, port, reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect();
    const ttl = 3000;
    const backend = redisBackend({ client, keyPrefix, ttl });
    let reportedAt = 0;
    const lock = await acquireInstanceLock({
      name: 'kill-nr',
      backend,
      releaseOnExit: false,
      onCompromised: () => {
        reportedAt = performance.now();
      },
    });
    const acquiredAt = performance.now();
    await admin.client('KILL', 'ID', String(await client.clientId()));
    await waitFor(() => lock.compromised, { timeout: 10_000, message: 'compromised' });
    expect(lock.signal.reason).toMatchObject({ code: 'PM_LOCK_COMPROMISED', message: expect.stringContaining('ran out') });
    // Declared at the lease's end (at most ttl after acquiring), not later (etcd3's client waits 2 x ttl).
    expect(reportedAt - acquiredAt).toBeLessThan(ttl + 1500);
    await lock.release(); // no-op after loss, never throws
  });

  it('unreachable server and refused credentials fail with PM_LOCK_BACKEND_UNAVAILABLE within the command timeout', async () => {
    const closedPort = await freePort();
    const unreachable = new Redis({ host: '127.0.0.1', port: closedPort, lazyConnect: false });
    unreachable.on('error', () => undefined);
    const wrongUser = new Redis({ host, port, username: 'pm-no-such-user', password: 'wrong' });
    wrongUser.on('error', () => undefined);
    const closed = createClient({ socket: { host, port } }); // never connected
    try {
      for (const client of [unreachable, wrongUser, closed] as RedisClientLike[]) {
        const started = performance.now();
        const error = await acquireInstanceLock({ name: 'down', backend: redisBackend({ client, keyPrefix, commandTimeout: 1000 }) }).catch(
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ code: 'PM_LOCK_BACKEND_UNAVAILABLE' });
        expect((error as Error).cause).toBeDefined();
        expect(performance.now() - started).toBeLessThan(4000);
      }
      const error = await inspectInstanceLock({
        name: 'down',
        backend: redisBackend({ client: unreachable, keyPrefix, commandTimeout: 500 }),
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PM_LOCK_BACKEND_UNAVAILABLE' });
    } finally {
      unreachable.disconnect();
      wrongUser.disconnect();
    }
  });

  it('a lease request re-sent by the client (reconnect) finds its own lease instead of refusing itself', async () => {
    // ioredis re-sends unanswered commands after a reconnect, so the acquire script can run twice for
    // one attempt. This client runs every script twice and answers with the second reply, as then.
    const resending: RedisClientLike = {
      call: async (command: string, args: (string | number)[]) => {
        if (command !== 'EVALSHA' && command !== 'EVAL') return io.call(command, args);
        await io.call(command, args);
        return io.call(command, args);
      },
    };
    const lock = await acquireInstanceLock({
      name: 'resent',
      backend: redisBackend({ client: resending, keyPrefix }),
      releaseOnExit: false,
    });
    expect(JSON.parse((await admin.get(`${keyPrefix}{resent}`))!).fence).toBe(lock.fencingToken);
    await lock.release();
    expect(await admin.exists(`${keyPrefix}{resent}`)).toBe(0);
  });

  it('a lease granted after the command timeout gave up is deleted, not left to block everyone for its ttl', async () => {
    let delayed = false;
    const slow: RedisClientLike = {
      call: async (command: string, args: (string | number)[]) => {
        const reply = await io.call(command, args);
        if (!delayed && (command === 'EVALSHA' || command === 'EVAL')) {
          delayed = true;
          await sleep(300); // the reply arrives after the 100 ms command timeout
        }
        return reply;
      },
    };
    const first = await acquireInstanceLock({
      name: 'late-reply',
      backend: redisBackend({ client: slow, keyPrefix, commandTimeout: 100 }),
    }).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'PM_LOCK_BACKEND_UNAVAILABLE' });
    await waitFor(async () => (await admin.exists(`${keyPrefix}{late-reply}`)) === 0, { timeout: 2000, message: 'orphan lease deleted' });
    const lock = await acquireInstanceLock({ name: 'late-reply', backend: redisBackend({ client: io, keyPrefix }), releaseOnExit: false });
    await lock.release();
  });

  it("a holder process whose client closes exits on its own: renewal timers are unref'd", async () => {
    const holder = holderFixture(['ioredis', 'unref', keyPrefix, '1000']);
    await holder.waitForLine(/^acquired/);
    holder.child.stdin!.write('exit\n');
    const started = performance.now();
    expect((await holder.exited).code).toBe(0);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('validates options and lists every problem', () => {
    expect(() =>
      redisBackend({ client: {} as RedisClientLike, ttl: 5, commandTimeout: -1, pollInterval: 0, keyPrefix: 3 as unknown as string }),
    ).toThrow(
      expect.objectContaining({
        code: 'PM_LOCK_INVALID_OPTIONS',
        problems: expect.arrayContaining([
          expect.stringMatching(/^client/),
          expect.stringMatching(/^ttl/),
          expect.stringMatching(/^commandTimeout/),
          expect.stringMatching(/^pollInterval/),
          expect.stringMatching(/^keyPrefix/),
        ]),
      }),
    );
  });

  describe.skipIf(!binariesAvailable('redis-server'))('server restart (a private redis-server without persistence)', () => {
    it('a restart that loses the lease is reported compromised; a new holder then gets it', async () => {
      const server = await startPrivateRedis();
      const client = new Redis({ host: '127.0.0.1', port: server.port, retryStrategy: () => 50 });
      client.on('error', () => undefined);
      let lock: InstanceLock | undefined;
      try {
        const backend = redisBackend({ client, ttl: 1000 });
        lock = await acquireInstanceLock({ name: 'restart', backend, releaseOnExit: false });
        await server.restart();
        await waitFor(() => lock!.compromised, { timeout: 10_000, message: 'compromised after restart' });
        const next = await acquireInstanceLock({ name: 'restart', backend, wait: 3000, releaseOnExit: false });
        // Without persistence the fencing counter restarted too: see docs/backends.md on fencing.
        expect(next.fencingToken).toBe(1);
        await next.release();
      } finally {
        client.disconnect();
        await server.stop();
      }
    });
  });
});
