import 'reflect-metadata';
import { Inject, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PmChecks, PmModule, PmService, serve, tcpCheck, underPressure, type PmModuleRootOptions } from '@pm/adapter-nest';
import type { HealthReport } from '@pm/health';
import { httpRequest, makeTempDir } from '@pm/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { FeatureModule, EVENTS, LOCK_PATH } from './app.js';

const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close().catch(() => {})));
});

/** A TypeORM-style data source: what `@nestjs/terminus`'s TypeOrmHealthIndicator would ping. */
const DATA_SOURCE = 'DATA_SOURCE';
const dataSource = {
  up: true,
  query: async (sql: string) => (dataSource.up ? [{ sql }] : Promise.reject(new Error('connection refused'))),
};

/** Builds its checks from injected dependencies, as terminus users do with injected indicators. */
@Injectable()
class HealthChecks {
  constructor(@Inject(PmChecks) checks: PmChecks, @Inject(PmService) pm: PmService, @Inject(DATA_SOURCE) source: typeof dataSource) {
    pm.addCheck(
      'database',
      checks.pingCheck('typeorm', () => source.query('SELECT 1'), { cacheMs: 0 }),
    );
    pm.addCheck('memory', checks.memoryCheck({ maxHeapUsedBytes: 8 * 1024 ** 3 }));
  }
}

async function build(options: PmModuleRootOptions): Promise<INestApplication> {
  const lockPath = join(makeTempDir(), 'app.pid');
  @Module({
    providers: [
      { provide: EVENTS, useValue: [] },
      { provide: LOCK_PATH, useValue: lockPath },
      { provide: DATA_SOURCE, useValue: dataSource },
      HealthChecks,
    ],
    exports: [EVENTS, LOCK_PATH],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({
    imports: [PmModule.forRoot({ lock: { path: lockPath }, ...options }), { module: AppModule, global: true }, FeatureModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  apps.push(app);
  return app;
}

const quiet = { signals: [] as NodeJS.Signals[], exit: vi.fn() };

describe('@pm/health checks in Nest', () => {
  it('PmChecks is injectable: checks built from injected providers report their numbers and gate readiness, never liveness', async () => {
    const app = await build({ shutdown: quiet });
    const served = await serve(app, { port: 0, host: '127.0.0.1' });
    served.pm.addCheck('self', tcpCheck('127.0.0.1', served.port)); // the plain re-exported factory works the same
    const ok = await httpRequest(`${served.url}/health`);
    expect(ok.status).toBe(200);
    const checks = (ok.json as HealthReport).checks;
    expect(checks.database).toMatchObject({ status: 'pass', details: { latencyMs: expect.any(Number) } });
    expect(checks.memory!.details).toMatchObject({ heapUsedBytes: expect.any(Number) });
    expect(checks.self).toMatchObject({ status: 'pass' });

    dataSource.up = false;
    try {
      const down = await httpRequest(`${served.url}/health`);
      expect(down.status).toBe(503);
      expect((down.json as HealthReport).checks.database!.error).toBe('typeorm ping failed: connection refused');
      expect((await httpRequest(`${served.url}/readyz`)).status).toBe(503);
      expect((await httpRequest(`${served.url}/livez`)).status).toBe(200);
    } finally {
      dataSource.up = true;
    }
    await served.shutdown.shutdown();
  });

  it('underPressure: app routes get 503 + Retry-After while over a limit, the probes are never shed, /readyz reports it', async () => {
    // A heap limit of 1 byte: permanently over, so the test needs no real overload.
    const app = await build({ health: { pressure: underPressure({ maxHeapUsedBytes: 1, retryAfter: 3 }) }, shutdown: quiet });
    const served = await serve(app, { port: 0, host: '127.0.0.1' });
    const shed = await httpRequest(`${served.url}/slow?ms=1`);
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('3');
    expect(shed.json).toMatchObject({ error: 'Service Unavailable', reason: 'under pressure' });
    expect((await httpRequest(`${served.url}/livez`)).status).toBe(200);
    const ready = await httpRequest(`${served.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ status: 'under_pressure', pressure: { reasons: ['heapUsed'] } });
    expect((await httpRequest(`${served.url}/health`)).status).toBe(200);
    await served.shutdown.shutdown();
  });

  it('without underPressure nothing is shed', async () => {
    const app = await build({ shutdown: quiet });
    const served = await serve(app, { port: 0, host: '127.0.0.1' });
    expect((await httpRequest(`${served.url}/slow?ms=1`)).json).toEqual({ slept: 1 });
    await served.shutdown.shutdown();
  });
});
