import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { spawnFixture } from './fixture.js';
import { httpRequest } from './http.js';
import { freePort } from './ports.js';
import { makeTempDir } from './temp-dir.js';
import { sleep } from './wait.js';

/** Options of {@link exampleAppSmokeSuite}. */
export interface ExampleAppSmokeOptions {
  /** The example's name, as in its lock record and its "already running" box (e.g. `express-app`). */
  name: string;
  /** Absolute path of its built entry (`dist/main.js`, the package.json `main`). */
  main: string;
}

/**
 * The smoke suite every example backend passes, run on the built entry exactly as a user would
 * (`node dist/main.js`): health with metadata, the single-instance refusal, port conflicts, draining
 * shutdown on SIGTERM, the drain delay, and IPC readiness. The examples share one behaviour contract,
 * so they share one suite.
 */
export function exampleAppSmokeSuite({ name, main }: ExampleAppSmokeOptions): void {
  async function start(env: Record<string, string> = {}, ipc = false) {
    const port = await freePort();
    const pidFile = join(makeTempDir(), `${name}.pid`);
    const app = spawnFixture(main, { env: { PORT: String(port), PID_FILE_PATH: pidFile, HOST: '127.0.0.1', ...env }, ipc });
    await app.waitForLine('listening on');
    return { app, port, pidFile, url: `http://127.0.0.1:${port}` };
  }

  describe(`examples/${name} (real process)`, () => {
    it('serves /health with instance metadata, a database check and work counters; holds the lock', async () => {
      const { app, port, pidFile, url } = await start();
      expect(app.stdout.join('\n')).toContain(`listening on http://127.0.0.1:${port}`);
      const health = await httpRequest(`${url}/health`);
      expect(health.status).toBe(200);
      expect(health.json).toMatchObject({
        status: 'healthy',
        pid: app.pid,
        uptime: expect.any(Number),
        startedAt: expect.any(String),
        memoryUsage: { heapUsed: expect.any(Number), rss: expect.any(Number) },
        checks: { database: { status: 'pass' } },
        activeRequests: 0,
        databaseStatus: 'connected',
      });
      expect((await httpRequest(`${url}/slow?ms=5`)).json).toEqual({ slept: 5, pid: app.pid });
      expect((await httpRequest(`${url}/health`)).json).toMatchObject({ totalRequests: 1 });
      expect(JSON.parse(readFileSync(pidFile, 'utf8'))).toMatchObject({ pid: app.pid, port, name });
    });

    it('API_PORT works when PORT is not set, and under pm its health registry announces readiness over IPC', async () => {
      const port = await freePort();
      const env = {
        PORT: undefined,
        API_PORT: String(port),
        PID_FILE_PATH: join(makeTempDir(), 'a.pid'),
        HOST: '127.0.0.1',
        PM_APP_NAME: name,
      };
      const app = spawnFixture(main, { env, ipc: true });
      const messages: unknown[] = [];
      const ready = new Promise<void>((resolve) =>
        app.child.on('message', (message: { type?: string }) => {
          messages.push(message);
          if (message.type === 'pm:ready') resolve();
        }),
      );
      await ready;
      expect(messages).toEqual([
        { type: 'pm:health', state: 'initializing' },
        { type: 'pm:health', state: 'healthy' },
        { type: 'pm:ready' },
      ]);
      expect((await httpRequest(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    });

    it('a second copy prints the boxed "already running" message naming the first, and exits 1', async () => {
      const { app, port, pidFile } = await start();
      const second = spawnFixture(main, { env: { PORT: String(await freePort()), PID_FILE_PATH: pidFile } });
      expect(await second.exited).toEqual({ code: 1, signal: null });
      const stderr = second.stderr.join('\n');
      expect(stderr).toContain(`║  ${name} instance already running`);
      expect(stderr).toContain(`PID:        ${app.pid}`);
      expect(stderr).toContain(`Port:       ${port}`);
      expect(stderr).toContain(`curl http://localhost:${port}/health`);
      expect(existsSync(pidFile)).toBe(true);
    });

    it('a taken port is named with the PID holding it, exit 1', async () => {
      const { app, port } = await start();
      const second = spawnFixture(main, {
        env: { PORT: String(port), PID_FILE_PATH: join(makeTempDir(), 'other.pid'), HOST: '127.0.0.1' },
      });
      expect((await second.exited).code).toBe(1);
      expect(second.stderr.join('\n')).toContain(`Port ${port} is already in use by PID ${app.pid}`);
    });

    it('SIGTERM: the in-flight request finishes, an idle keep-alive connection does not hold the exit, exit 0 right after, lock removed', async () => {
      const { app, pidFile, url } = await start();
      const agent = new Agent({ keepAlive: true });
      await httpRequest(`${url}/`, { agent }); // leaves an idle keep-alive socket
      const slow = httpRequest(`${url}/slow?ms=800`).then((r) => ({ ...r, at: performance.now() }));
      await sleep(200);
      app.kill('SIGTERM');
      const [response, exit] = await Promise.all([slow, app.exited.then((e) => ({ ...e, at: performance.now() }))]);
      agent.destroy();
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ slept: 800 });
      expect(exit.code).toBe(0);
      const gap = exit.at - response.at;
      console.log(`${name}: exit ${gap.toFixed(1)} ms after the last in-flight response`);
      expect(gap).toBeLessThan(1000);
      expect(existsSync(pidFile)).toBe(false);
    });

    it('SIGTERM with a drain delay: /readyz turns 503 while in-flight work goes on', async () => {
      const { app, url } = await start({ DRAIN_DELAY_MS: '600' });
      const slow = httpRequest(`${url}/slow?ms=300`);
      app.kill('SIGTERM');
      await sleep(100);
      const ready = await httpRequest(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.json).toEqual({ status: 'shutting_down' });
      expect((await httpRequest(`${url}/health`)).json).toMatchObject({ status: 'shutting_down', activeRequests: 1 });
      expect((await slow).status).toBe(200);
      expect((await app.exited).code).toBe(0);
    });
  });
}
