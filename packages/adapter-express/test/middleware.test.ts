import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthMiddleware } from '@pm/adapter-express';
import { createHealth } from '@pm/health';
import { httpRequest } from '@pm/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { flavours } from './helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((r) => {
          s.closeAllConnections();
          s.close(r);
        }),
    ),
  );
});

async function listen(app: (req: never, res: never) => void): Promise<string> {
  const server = (app as unknown as { listen: (port: number, host: string) => Server }).listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.each(flavours)('healthMiddleware on $label', ({ create }) => {
  it('serves /health, /livez, /readyz and passes other routes and methods to the app', async () => {
    const app = create();
    const mw = healthMiddleware({ info: () => ({ activeAgents: 2 }) });
    app.use(mw);
    app.get('/', (_req: unknown, res: { send: (b: string) => void }) => res.send('app'));
    const base = await listen(app);

    const initializing = await httpRequest(`${base}/health`);
    expect(initializing.status).toBe(503);
    expect(initializing.json).toMatchObject({ status: 'initializing', pid: process.pid, activeAgents: 2 });
    expect((await httpRequest(`${base}/readyz`)).status).toBe(503);
    expect((await httpRequest(`${base}/livez`)).status).toBe(200);

    mw.health.setReady();
    const healthy = await httpRequest(`${base}/health?verbose=1`);
    expect(healthy.status).toBe(200);
    expect(healthy.json).toMatchObject({ status: 'healthy', memoryUsage: { rss: expect.any(Number) } });
    expect((await httpRequest(`${base}/readyz`)).json).toEqual({ status: 'healthy' });

    expect((await httpRequest(`${base}/`)).body).toBe('app');
    // Not GET/HEAD: the app decides (here Express's own 404).
    expect((await httpRequest(`${base}/health`, { method: 'POST' })).status).toBe(404);
    expect((await httpRequest(`${base}/nope`)).status).toBe(404);
  });

  it('mounted under a prefix answers the prefixed paths, with a shared registry and its checks', async () => {
    const app = create();
    const health = createHealth({
      checks: {
        db: () => {
          throw new Error('db down');
        },
      },
    });
    app.use('/api', healthMiddleware(health));
    const base = await listen(app);
    health.setReady();
    const res = await httpRequest(`${base}/api/health`);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ status: 'unhealthy', checks: { db: { status: 'fail', error: 'db down' } } });
    expect((await httpRequest(`${base}/health`)).status).toBe(404);
  });

  it('custom paths', async () => {
    const app = create();
    const mw = healthMiddleware({ paths: { health: '/status', live: '/ping', ready: '/ready' } });
    app.use(mw);
    const base = await listen(app);
    mw.health.setReady();
    expect((await httpRequest(`${base}/status`)).status).toBe(200);
    expect((await httpRequest(`${base}/ping`)).json).toEqual({ status: 'ok' });
    expect((await httpRequest(`${base}/ready`)).status).toBe(200);
  });
});
