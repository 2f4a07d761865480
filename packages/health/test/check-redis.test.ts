import { httpRequest, waitFor } from '@pm/test-utils';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthErrorCodes, redisCheck, type HealthReport } from '../src/index.js';
import { closedPort, hungServer, serveHealth, serviceAvailable, services, tcpProxy, timed } from './services.js';

const up = await serviceAvailable('redis');
const { host, port } = services.redis;

describe.skipIf(!up)('redisCheck against a real Redis', () => {
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis({ host, port });
  });
  afterAll(async () => {
    await admin?.quit();
  });

  it('ioredis: passes with latency and state; a killed connection is reported at once while it reconnects', async () => {
    const client = new Redis({ host, port, retryStrategy: () => 500 });
    client.on('error', () => undefined);
    const served = await serveHealth({ checks: { cache: redisCheck(client, { cacheMs: 0 }) } });
    try {
      const ok = await httpRequest(`${served.url}/health`);
      expect(ok.status).toBe(200);
      const cache = (ok.json as HealthReport).checks.cache!;
      expect(cache.details).toMatchObject({ state: 'ready', latencyMs: expect.any(Number) });

      // Only this client's connection: the Redis is shared with other tests.
      const id = (await client.client('ID')) as number;
      await admin.client('KILL', 'ID', String(id));
      await waitFor(() => client.status === 'reconnecting', { timeout: 2000, message: 'ioredis reconnecting' });
      const { ms, value: down } = await timed(() => httpRequest(`${served.url}/health`));
      expect(down.status).toBe(503);
      expect((down.json as HealthReport).checks.cache).toMatchObject({ status: 'fail', error: 'Redis connection is reconnecting' });
      expect((down.json as HealthReport).checks.cache!.durationMs).toBeLessThan(50); // known down: no PING waits in the offline queue
      expect(ms).toBeLessThan(1000);
      expect((await httpRequest(`${served.url}/livez`)).status).toBe(200);
      await waitFor(() => client.status === 'ready', { timeout: 3000, message: 'ioredis back' });
      expect((await httpRequest(`${served.url}/health`)).status).toBe(200);
    } finally {
      await served.close();
      client.disconnect();
    }
  });

  it('node-redis: passes; a stopped server and a closed client fail at once', async () => {
    const proxy = await tcpProxy(host, port);
    const client = createClient({ socket: { host: '127.0.0.1', port: proxy.port, reconnectStrategy: () => 500 } });
    client.on('error', () => undefined);
    await client.connect();
    const served = await serveHealth({ checks: { cache: redisCheck(client, { cacheMs: 0, timeout: 2000 }) } });
    try {
      const ok = await httpRequest(`${served.url}/health`);
      expect(ok.status).toBe(200);
      expect((ok.json as HealthReport).checks.cache!.details).toMatchObject({ state: 'ready', latencyMs: expect.any(Number) });

      await proxy.stop(); // the server goes away: node-redis is open but not ready, reconnecting
      await waitFor(() => !client.isReady, { timeout: 2000, message: 'node-redis notices' });
      const down = await timed(() => httpRequest(`${served.url}/health`));
      expect(down.value.status).toBe(503);
      expect((down.value.json as HealthReport).checks.cache!.error).toBe('Redis connection is not ready');
      expect((down.value.json as HealthReport).checks.cache!.durationMs).toBeLessThan(50);
      expect(down.ms).toBeLessThan(1000);

      client.destroy();
      const closed = await httpRequest(`${served.url}/health`);
      expect((closed.json as HealthReport).checks.cache!.error).toBe('Redis connection is closed');
    } finally {
      await served.close();
      if (client.isOpen) client.destroy();
    }
  });

  it('server unreachable: ioredis fails at once (reconnecting), never waiting for the timeout', async () => {
    const client = new Redis({ host, port: await closedPort(), retryStrategy: () => 1000, maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    await waitFor(() => client.status === 'reconnecting', { timeout: 2000, message: 'ioredis gives up the first connect' });
    const served = await serveHealth({ checks: { cache: redisCheck(client, { timeout: 2000 }) } });
    try {
      const { ms, value } = await timed(() => httpRequest(`${served.url}/health`));
      expect(value.status).toBe(503);
      expect((value.json as HealthReport).checks.cache!.durationMs).toBeLessThan(50);
      expect(ms).toBeLessThan(1000);
    } finally {
      await served.close();
      client.disconnect();
    }
  });

  it('hung server: ioredis and node-redis fail at the timeout, not later; /livez answers meanwhile', async () => {
    const hung = await hungServer();
    const io = new Redis({ host: '127.0.0.1', port: hung.port, enableReadyCheck: false, maxRetriesPerRequest: null });
    io.on('error', () => undefined);
    const node = createClient({ socket: { host: '127.0.0.1', port: hung.port, connectTimeout: 60_000 } });
    node.on('error', () => undefined);
    // Its handshake (CLIENT SETINFO) never gets an answer: connect() would never resolve.
    node.connect().catch(() => undefined);
    const timeout = 300;
    const served = await serveHealth({
      checks: { io: redisCheck(io, { timeout, cacheMs: 0 }), node: redisCheck(node, { timeout, cacheMs: 0 }) },
    });
    try {
      await waitFor(() => io.status === 'connect' || io.status === 'ready', { timeout: 2000, message: 'ioredis connected' });
      let healthAnswered = false;
      const pending = timed(() => httpRequest(`${served.url}/health`)).finally(() => (healthAnswered = true));
      expect((await httpRequest(`${served.url}/livez`)).status).toBe(200);
      expect(healthAnswered).toBe(false); // /livez did not wait for the hung check
      const { ms, value } = await pending;
      const checks = (value.json as HealthReport).checks;
      expect(checks.io!.error).toMatch(/timed out after 300 ms/);
      expect(checks.io!.durationMs).toBeGreaterThanOrEqual(timeout - 5);
      expect(checks.io!.durationMs).toBeLessThan(timeout + 400); // at the timeout (timers fire late on a loaded machine), not later
      // node-redis knows its handshake is unanswered (open, not ready): it fails without waiting at all.
      expect(checks.node!.error).toBe('Redis connection is not ready');
      expect(ms).toBeLessThan(timeout + 1000);
    } finally {
      await served.close();
      io.disconnect();
      if (node.isOpen) node.destroy();
      await hung.close();
    }
  });

  it('rejects what is not a Redis client', () => {
    expect(() => redisCheck({ ping: () => Promise.resolve('PONG') } as never)).toThrow(
      expect.objectContaining({
        code: HealthErrorCodes.invalidOptions,
        message: expect.stringMatching(/ioredis client .* node-redis client/),
      }),
    );
  });
});
