import { existsSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort, httpRequest, makeTempDir, sleep, spawnFixture } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { flavours } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/serve-app.mjs', import.meta.url));

async function start(module: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const pidFile = join(makeTempDir(), 'app.pid');
  const app = spawnFixture(fixture, { env: { EXPRESS: module, PORT: String(port), PID_FILE_PATH: pidFile, ...env } });
  await app.waitForLine('listening on');
  return { app, pidFile, url: `http://127.0.0.1:${port}` };
}

describe.each(flavours)('SIGTERM on a served $label app (real process)', ({ module }) => {
  it('finishes the in-flight request, then exits 0 at once with the lock file removed', async () => {
    const { app, pidFile, url } = await start(module);
    expect(existsSync(pidFile)).toBe(true);
    const slow = httpRequest(`${url}/slow?ms=600`).then((r) => ({ ...r, at: performance.now() }));
    await sleep(150); // the request is in flight
    app.kill('SIGTERM');
    const [response, exit] = await Promise.all([slow, app.exited.then((e) => ({ ...e, at: performance.now() }))]);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ slept: 600 });
    expect(response.headers.connection).toBe('close');
    expect(exit.code).toBe(0);
    // Generous bound for a loaded 2-core machine; the benchmark-grade figure is a few ms.
    expect(exit.at - response.at).toBeLessThan(1000);
    expect(app.stdout).toContain('hook ran');
    expect(existsSync(pidFile)).toBe(false);
  });

  it('an idle keep-alive connection does not hold the exit', async () => {
    const { app, url } = await start(module);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await httpRequest(`${url}/`, { agent })).body).toBe('hello');
    const sentAt = performance.now();
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    expect(performance.now() - sentAt).toBeLessThan(1000);
    agent.destroy();
  });

  it('with a drain delay, /readyz answers 503 while in-flight work goes on', async () => {
    const { app, url } = await start(module, { DRAIN_DELAY: '800' });
    const slow = httpRequest(`${url}/slow?ms=300`);
    app.kill('SIGTERM');
    await sleep(100);
    const ready = await httpRequest(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ status: 'shutting_down' });
    expect((await httpRequest(`${url}/livez`)).status).toBe(200);
    expect((await slow).status).toBe(200);
    expect((await app.exited).code).toBe(0);
  });
});
