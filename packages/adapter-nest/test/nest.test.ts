import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { NestErrorCodes, PmModule, PmService, serve, type PmModuleRootOptions } from '@pm/adapter-nest';
import { InstanceAlreadyRunningError } from '@pm/lock';
import { freePort, httpRequest, makeTempDir, sleep, spawnFixture } from '@pm/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENTS, FeatureModule, LOCK_PATH } from './app.js';

const holdLock = fileURLToPath(new URL('./fixtures/hold-lock.mjs', import.meta.url));
const apps: INestApplication[] = [];
afterEach(async () => {
  // Apps a test left running (failed assertions): close quietly so ports and locks are freed.
  await Promise.all(apps.splice(0).map((app) => app.close().catch(() => {})));
});

/** A real Nest app: PmModule + a feature module sharing an events list and the lock path. */
async function build(pm: (lockPath: string) => Parameters<typeof PmModule.forRoot>[0] | ReturnType<typeof PmModule.forRootAsync>) {
  const events: string[] = [];
  const lockPath = join(makeTempDir(), 'backend.pid');
  const pmImport = pm(lockPath);
  @Module({
    providers: [
      { provide: EVENTS, useValue: events },
      { provide: LOCK_PATH, useValue: lockPath },
    ],
    exports: [EVENTS, LOCK_PATH],
  })
  class SharedModule {}
  @Module({ imports: [SharedModule], exports: [SharedModule] })
  class Shared {}
  const imported = pmImport && 'module' in pmImport ? pmImport : PmModule.forRoot(pmImport as PmModuleRootOptions);
  const moduleRef = await Test.createTestingModule({
    imports: [{ module: Shared, global: true, imports: [SharedModule], exports: [SharedModule] }, imported, FeatureModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  apps.push(app);
  return { app, events, lockPath };
}

const quiet = (exit = vi.fn()) => ({ signals: [] as NodeJS.Signals[], exit });

describe('PmModule.forRoot + serve() on a real listening Nest app', () => {
  it('takes the lock before other modules init, serves health with decorated checks and service info, and shuts down in Nest order with the lock last', async () => {
    const exit = vi.fn();
    const { app, events, lockPath } = await build((path) => ({ lock: { path, name: 'backend' }, shutdown: quiet(exit) }));
    const port = await freePort();
    const served = await serve(app, { port, host: '127.0.0.1' });
    expect(served.url).toBe(`http://127.0.0.1:${port}`);
    expect(events).toEqual(['db connect (lock held)']);
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid, port, name: 'backend' });

    const health = await httpRequest(`${served.url}/health`);
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({
      status: 'healthy',
      pid: process.pid,
      checks: { db: { status: 'pass', critical: true } },
      databaseStatus: 'connected',
      activeAgents: 2,
    });
    expect((await httpRequest(`${served.url}/readyz`)).json).toEqual({ status: 'healthy' });
    expect((await httpRequest(`${served.url}/livez`)).json).toEqual({ status: 'ok' });
    expect(served.pm).toBe(app.get(PmService));
    expect(served.pm.lock?.location).toBe(lockPath);

    const slow = httpRequest(`${served.url}/slow?ms=400`);
    await sleep(100);
    const result = await served.shutdown.shutdown('SIGTERM');
    expect((await slow).json).toEqual({ slept: 400 });
    expect(result.exitCode).toBe(0);
    expect(exit).toHaveBeenCalledWith(0);
    expect(events).toEqual(['db connect (lock held)', 'db destroy (lock held)', 'agents stop', 'db shutdown (lock held)']);
    expect(existsSync(lockPath)).toBe(false);
    expect(served.pm.health.state).toBe('shutting_down');
  });

  it("merges forRoot's own health.info with the info providers contribute", async () => {
    const { app } = await build(() => ({
      lock: false,
      health: { info: async () => ({ region: 'eu-west-1', activeAgents: 0 }) },
      shutdown: quiet(),
    }));
    const served = await serve(app, { port: 0, host: '127.0.0.1' });
    const health = await httpRequest(`${served.url}/health`);
    expect(health.status).toBe(200);
    // region from health.info; databaseStatus from @PmInfo; activeAgents from addInfo, which wins the clash (added later).
    expect(health.json).toMatchObject({ status: 'healthy', region: 'eu-west-1', databaseStatus: 'connected', activeAgents: 2 });
    await served.shutdown.shutdown();
  });

  it('custom paths, under a global prefix', async () => {
    const { app } = await build(() => ({ lock: false, paths: { health: '/status', live: '/ping', ready: '/ready' }, shutdown: quiet() }));
    app.setGlobalPrefix('api');
    const served = await serve(app, { port: 0, host: '127.0.0.1' });
    expect((await httpRequest(`${served.url}/api/status`)).json).toMatchObject({ status: 'healthy', checks: { db: { status: 'pass' } } });
    expect((await httpRequest(`${served.url}/api/ping`)).json).toEqual({ status: 'ok' });
    expect((await httpRequest(`${served.url}/api/ready`)).status).toBe(200);
    expect((await httpRequest(`${served.url}/health`)).status).toBe(404);
    await served.shutdown.shutdown();
  });

  it("ready: 'manual' keeps /readyz at 503 until PmService.setReady()", async () => {
    const { app } = await build(() => ({ lock: false, ready: 'manual', shutdown: quiet() }));
    const served = await serve(app, { port: 0, host: '127.0.0.1' });
    expect((await httpRequest(`${served.url}/readyz`)).json).toEqual({ status: 'initializing' });
    expect((await httpRequest(`${served.url}/health`)).status).toBe(503);
    served.pm.setReady();
    expect((await httpRequest(`${served.url}/readyz`)).status).toBe(200);
    await served.shutdown.shutdown();
  });

  it('a port in use gives PM_PORT_IN_USE naming this process; the app is closed and the lock released', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { app, events, lockPath } = await build((path) => ({ lock: { path }, shutdown: quiet() }));
      const error = await serve(app, { port, host: '127.0.0.1' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'PortInUseError', code: NestErrorCodes.portInUse, port, holder: { pid: process.pid } });
      expect(events).toContain('db destroy (lock held)');
      expect(existsSync(lockPath)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('another process holding the lock stops start-up before any other module inits', async () => {
    const dir = makeTempDir();
    const path = join(dir, 'backend.pid');
    const holder = spawnFixture(holdLock, { env: { PID_FILE_PATH: path } });
    await holder.waitForLine('held');
    const { app, events } = await build(() => ({ lock: { path, name: 'backend' }, shutdown: { exit: vi.fn() } }));
    const listeners = process.listenerCount('SIGTERM');
    const error = await serve(app, { port: 0, host: '127.0.0.1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstanceAlreadyRunningError);
    expect((error as InstanceAlreadyRunningError).lock?.pid).toBe(holder.pid);
    expect(events).toEqual([]);
    expect(process.listenerCount('SIGTERM')).toBe(listeners); // the shutdown serve() installed was removed
    holder.kill();
    await holder.exited;
  });
});

describe('serve() and lock.port', () => {
  it('refuses a lock.port naming another port than the one serve() binds, before taking any lock', async () => {
    const { app, lockPath } = await build((path) => ({ lock: { path, port: 1234 }, shutdown: quiet() }));
    const error = await serve(app, { port: 0, host: '127.0.0.1' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: NestErrorCodes.invalidOptions });
    expect((error as { problems: string[] }).problems[0]).toMatch(/lock\.port \(1234\) differs from the port serve\(\) binds \(0\)/);
    expect(existsSync(lockPath)).toBe(false);
    await app.close();
  });
});

describe('PmModule.forRootAsync', () => {
  it('builds options with useFactory from injected providers', async () => {
    @Module({ providers: [{ provide: 'CONFIG', useValue: { lockName: 'from-config' } }], exports: ['CONFIG'] })
    class ConfigModule {}
    const exit = vi.fn();
    const { app, lockPath } = await build((path) =>
      PmModule.forRootAsync({
        imports: [ConfigModule],
        inject: ['CONFIG'],
        useFactory: async (config: { lockName: string }) => ({
          lock: { path, name: config.lockName },
          health: { checkTimeout: 300 },
          shutdown: quiet(exit),
        }),
        paths: { health: '/api/health' },
      }),
    );
    const served = await serve(app, { port: 0, host: '127.0.0.1' });
    // With port 0 the lock records the port actually bound.
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ name: 'from-config', port: served.port });
    expect((await httpRequest(`${served.url}/api/health`)).json).toMatchObject({ status: 'healthy', activeAgents: 2 });
    await served.shutdown.shutdown();
    expect(exit).toHaveBeenCalledWith(0);
    expect(existsSync(lockPath)).toBe(false);
  });
});

describe('without serve(): app.listen() and app.close()', () => {
  it('still takes the lock first, turns ready on listen, and releases the lock in onApplicationShutdown', async () => {
    const { app, events, lockPath } = await build((path) => ({ lock: { path, port: 1234 } }));
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).port).toBe(1234);
    expect((await httpRequest(`${url.replace('[::1]', '127.0.0.1')}/readyz`)).status).toBe(200);
    await app.close();
    expect(events.at(-1)).toBe('db shutdown (lock held)');
    expect(existsSync(lockPath)).toBe(false);
    expect(app.get(PmService).health.state).toBe('shutting_down');
  });
});

describe('errors', () => {
  it('forRoot reports every option problem at once', () => {
    const error = (() => {
      try {
        PmModule.forRoot({
          lock: 'x' as never,
          ready: 'soon' as never,
          health: { paths: {} } as never,
          shutdown: { servers: [] } as never,
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: NestErrorCodes.invalidOptions });
    expect((error as { problems: string[] }).problems).toHaveLength(4);
  });

  it("a user shutdown hook named 'nest' is rejected up front: serve() reserves that name for app.close()", () => {
    const error = (() => {
      try {
        PmModule.forRoot({
          lock: false,
          shutdown: {
            hooks: [
              { name: 'db', fn: () => {} },
              { name: 'nest', fn: () => {} },
            ],
          },
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: NestErrorCodes.invalidOptions });
    expect((error as { problems: string[] }).problems).toEqual([
      expect.stringMatching(/^shutdown\.hooks\[1\]\.name "nest" is reserved: serve\(\) adds a hook by that name to run app\.close\(\)/),
    ]);
  });

  it('a typo in the health or shutdown options passed through is reported by @pm/health, with a suggestion', async () => {
    await expect(build(() => ({ lock: false, health: { checkTimout: 300 } as never }))).rejects.toMatchObject({
      code: 'PM_HEALTH_INVALID_OPTIONS',
      problems: ['checkTimout is not an option (did you mean checkTimeout?)'],
    });
    const { app } = await build(() => ({ lock: false, shutdown: { ...quiet(), signal: ['SIGTERM'] } as never }));
    await expect(serve(app, { port: 0, host: '127.0.0.1' })).rejects.toMatchObject({
      code: 'PM_HEALTH_INVALID_OPTIONS',
      problems: ['signal is not an option (did you mean signals?)'],
    });
  });

  it('bad paths are reported by @pm/health', () => {
    expect(() => PmModule.forRoot({ paths: { health: 'no-slash' } })).toThrow(
      expect.objectContaining({ code: 'PM_HEALTH_INVALID_OPTIONS' }),
    );
  });

  it('serve() on an app without PmModule gives PM_NEST_MODULE_MISSING', async () => {
    @Module({})
    class Bare {}
    const app = (await Test.createTestingModule({ imports: [Bare] }).compile()).createNestApplication({ logger: false });
    apps.push(app);
    await expect(serve(app, { port: 0 })).rejects.toMatchObject({ code: NestErrorCodes.moduleMissing });
  });
});
