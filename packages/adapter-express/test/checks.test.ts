import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthMiddleware, pingCheck, serve, tcpCheck, underPressure } from '@pm/adapter-express';
import type { HealthReport } from '@pm/health';
import { httpRequest } from '@pm/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

type App = ReturnType<(typeof flavours)[number]['create']>;
const route = (app: App) => app.get('/work', (_req: unknown, res: { send: (b: string) => void }) => res.send('done'));

describe.each(flavours)('built-in checks and underPressure on $label', ({ create }) => {
  it('serve(): the re-exported factories report their numbers; underPressure sheds app routes only', async () => {
    const app = create();
    route(app);
    const served = await serve(app, {
      port: 0,
      host: '127.0.0.1',
      lock: false,
      health: {
        checks: { dependency: pingCheck('queue', () => true) },
        // A heap limit of 1 byte: permanently over, so the test needs no real overload.
        pressure: underPressure({ maxHeapUsedBytes: 1, retryAfter: 4 }),
      },
      shutdown: { signals: [], exit: vi.fn() },
    });
    servers.push(served.server);
    served.health.addCheck('self', tcpCheck('127.0.0.1', served.port));
    const report = await httpRequest(`${served.url}/health`);
    expect(report.status).toBe(200);
    expect((report.json as HealthReport).checks).toMatchObject({
      dependency: { status: 'pass', details: { latencyMs: expect.any(Number) } },
      self: { status: 'pass', details: { latencyMs: expect.any(Number) } },
    });
    const shed = await httpRequest(`${served.url}/work`);
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('4');
    expect((await httpRequest(`${served.url}/livez`)).status).toBe(200);
    expect((await httpRequest(`${served.url}/readyz`)).json).toMatchObject({
      status: 'under_pressure',
      pressure: { reasons: ['heapUsed'] },
    });
    await served.shutdown.shutdown();
  });

  it('healthMiddleware: routes mounted after it are shed; without pressure they run', async () => {
    for (const pressure of [underPressure({ maxRssBytes: 1 }), undefined]) {
      const app = create();
      const mw = healthMiddleware({ pressure, announceToSupervisor: false });
      mw.health.setReady();
      app.use(mw);
      route(app);
      const server = (app as unknown as { listen: (port: number, host: string) => Server }).listen(0, '127.0.0.1');
      servers.push(server);
      await new Promise((resolve) => server.once('listening', resolve));
      const res = await httpRequest(`http://127.0.0.1:${(server.address() as AddressInfo).port}/work`);
      expect(res.status).toBe(pressure ? 503 : 200);
      pressure?.stop();
    }
  });
});
