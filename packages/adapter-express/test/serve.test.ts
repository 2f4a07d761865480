import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExpressErrorCodes, serve } from '@pm/adapter-express';
import { createHealth } from '@pm/health';
import { InstanceAlreadyRunningError } from '@pm/lock';
import { freePort, httpRequest, makeTempDir, spawnFixture } from '@pm/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { flavours } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/serve-app.mjs', import.meta.url));

/** serve() options every in-process test uses: no signal listeners, exit is a spy. */
const quiet = (exit = vi.fn()) => ({ host: '127.0.0.1', shutdown: { signals: [], exit } });

describe.each(flavours)('serve() with $label', ({ create }) => {
  it('takes the lock before binding, is ready only after ready(), shuts down cleanly and releases the lock', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const port = await freePort();
    const app = create();
    app.get('/hello', (_req: unknown, res: { send: (b: string) => void }) => res.send('hi'));
    let finishReady!: () => void;
    const readyGate = new Promise<void>((resolve) => (finishReady = resolve));
    const exit = vi.fn();
    const starting = serve(app, {
      ...quiet(exit),
      port,
      lock: { path, name: 'backend', metadata: { role: 'api' } },
      ready: () => readyGate,
    });

    // Bound and serving, but not ready: probes say initializing while the app connects its database.
    const url = `http://127.0.0.1:${port}`;
    await vi.waitFor(async () => expect((await httpRequest(`${url}/readyz`)).status).toBe(503), { timeout: 5000 });
    expect((await httpRequest(`${url}/health`)).json).toMatchObject({ status: 'initializing' });
    expect((await httpRequest(`${url}/hello`)).body).toBe('hi');
    const record = JSON.parse(readFileSync(path, 'utf8'));
    expect(record).toMatchObject({ pid: process.pid, port, name: 'backend', metadata: { role: 'api' } });

    finishReady();
    const served = await starting;
    expect(served.port).toBe(port);
    expect(served.url).toBe(url);
    expect(served.lock?.location).toBe(path);
    expect((await httpRequest(`${url}/readyz`)).status).toBe(200);

    const order: string[] = [];
    served.shutdown.addHook('db', () => {
      order.push(existsSync(path) ? 'db (lock still held)' : 'db (lock gone)');
    });
    const result = await served.shutdown.shutdown('test');
    expect(result.exitCode).toBe(0);
    expect(exit).toHaveBeenCalledWith(0);
    expect(order).toEqual(['db (lock still held)']);
    expect(existsSync(path)).toBe(false);
    expect(served.server.listening).toBe(false);
  });

  it('with port 0 the lock record names the port actually bound', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const served = await serve(create(), { ...quiet(), port: 0, lock: { path } });
    expect(served.port).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid, port: served.port });
    expect(served.lock?.info.port).toBe(served.port);
    expect((await served.shutdown.shutdown('test')).exitCode).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it('health probes are answered in front of the app (its middleware never sees them)', async () => {
    const app = create();
    const seen: string[] = [];
    app.use((req: { url: string }, res: { status: (n: number) => { send: (b: string) => void } }) => {
      seen.push(req.url);
      res.status(401).send('auth required');
    });
    const health = createHealth({ info: () => ({ activeWork: 0 }) });
    const served = await serve(app, { ...quiet(), port: 0, lock: false, health });
    expect(served.lock).toBeUndefined();
    expect(served.health).toBe(health);
    expect((await httpRequest(`${served.url}/health`)).json).toMatchObject({ status: 'healthy', activeWork: 0 });
    expect((await httpRequest(`${served.url}/private`)).status).toBe(401);
    expect(seen).toEqual(['/private']);
    await served.shutdown.shutdown();
  });

  it('a taken port gives PM_PORT_IN_USE naming the port and the process holding it, and releases the lock', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const listeners = process.listenerCount('SIGTERM');
    try {
      const error = await serve(create(), { ...quiet(), port, lock: { path }, shutdown: { exit: vi.fn() } }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'PortInUseError', code: ExpressErrorCodes.portInUse, port });
      const { holder, message, cause } = error as { holder: { pid: number; command: string }; message: string; cause: { code: string } };
      expect(cause.code).toBe('EADDRINUSE');
      expect(holder.pid).toBe(process.pid);
      expect(holder.command).toContain('node');
      expect(message).toContain(`Port ${port} is already in use by PID ${process.pid}`);
      expect(existsSync(path)).toBe(false);
      expect(process.listenerCount('SIGTERM')).toBe(listeners); // the shutdown it installed was removed
    } finally {
      blocker.close();
    }
  });

  it('a failing ready() gives PM_READY_FAILED with its cause; the server is closed and the lock released', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const port = await freePort();
    const boom = new Error('database unreachable');
    const error = await serve(create(), {
      ...quiet(),
      port,
      lock: { path },
      ready: async () => {
        throw boom;
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ExpressErrorCodes.readyFailed, cause: boom });
    expect(existsSync(path)).toBe(false);
    await expect(httpRequest(`http://127.0.0.1:${port}/health`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses to start while another process holds the lock, naming it', async () => {
    const dir = makeTempDir();
    const port = await freePort();
    const first = spawnFixture(fixture, { env: { PORT: String(port), PID_FILE_PATH: join(dir, 'app.pid') } });
    await first.waitForLine('listening on');
    const error = await serve(create(), { ...quiet(), port: await freePort(), lock: { path: join(dir, 'app.pid') } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InstanceAlreadyRunningError);
    expect((error as InstanceAlreadyRunningError).lock).toMatchObject({ pid: first.pid, port });
    first.kill();
    expect(await first.exited).toEqual({ code: 0, signal: null });
  });
});

describe('serve() options', () => {
  it('reports every problem at once, before taking any lock', async () => {
    const error = await serve('nope' as never, {
      port: 70000,
      ready: 1 as never,
      shutdown: { servers: [] } as never,
      lock: { port: 1 } as never,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ExpressErrorCodes.invalidOptions });
    expect((error as { problems: string[] }).problems).toHaveLength(5);
  });

  it('a typo in the shutdown options passed through is reported by @pm/health with a suggestion, and the lock is released', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const listeners = process.listenerCount('SIGTERM');
    const error = await serve(() => {}, {
      ...quiet(),
      port: 0,
      lock: { path },
      shutdown: { exit: vi.fn(), signal: ['SIGTERM'] } as never,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PM_HEALTH_INVALID_OPTIONS', problems: ['signal is not an option (did you mean signals?)'] });
    expect(existsSync(path)).toBe(false);
    expect(process.listenerCount('SIGTERM')).toBe(listeners);
  });

  it('invalid health options are reported by @pm/health, and no lock is left behind', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const error = await serve(() => {}, { ...quiet(), lock: { path }, health: { checkTimeout: -1 } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PM_HEALTH_INVALID_OPTIONS' });
    expect(existsSync(path)).toBe(false);
  });
});
