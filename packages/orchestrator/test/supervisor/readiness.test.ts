import { fork } from 'node:child_process';
import { appendFileSync, closeSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { freePort, makeTempDir, sleep, waitFor } from '@pm/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AppLogFile } from '../../src/supervisor/log-file.js';
import {
  healthStateOf,
  isReadyMessage,
  waitUntilReady,
  type IpcState,
  type ReadinessContext,
} from '../../src/supervisor/readiness/index.js';
import { fixture } from '../helpers.js';

// Each readiness kind alone, against real servers, files and child processes: no app supervisor.

function context(over: Partial<ReadinessContext> = {}): ReadinessContext {
  const dir = makeTempDir();
  return {
    port: null,
    log: new AppLogFile(join(dir, 'app.log'), 1e9, 0),
    ipc: { channel: false, ready: false, health: null },
    memory: { announces: null },
    ...over,
  };
}

/** Aborts after `ms`, like the ready timeout. */
function timeout(ms: number): AbortSignal {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort('timeout'), ms);
  onTestFinished(() => clearTimeout(timer));
  return abort.signal;
}

/** A real forked child whose IPC messages update `ipc` the way a run does. */
function forkWithIpc(script: string, env: Record<string, string>): IpcState {
  const ipc: IpcState = { channel: true, ready: false, health: null };
  const child = fork(script, [], { env: { ...process.env, PM_APP_NAME: 'test', ...env }, stdio: 'ignore' });
  onTestFinished(() => void child.kill('SIGKILL'));
  child.on('message', (message) => {
    if (isReadyMessage(message)) ipc.ready = true;
    ipc.health = healthStateOf(message) ?? ipc.health;
  });
  return ipc;
}

describe('http readiness', () => {
  it('is ready once the URL (with ${PORT}) answers 2xx, not before; false at the timeout otherwise', async () => {
    const port = await freePort();
    const ready = { kind: 'http', url: 'http://127.0.0.1:${PORT}/ok', timeout: 5000, interval: 50 } as const;
    const waiting = waitUntilReady(ready, context({ port }), timeout(5000));
    await sleep(300);
    const server = createHttpServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 500).end());
    onTestFinished(() => void server.close());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    expect(await waiting).toBe(true);
    const wrongPath = { ...ready, url: `http://127.0.0.1:${port}/missing` };
    expect(await waitUntilReady(wrongPath, context(), timeout(400))).toBe(false);
  });
});

describe('tcp readiness', () => {
  it('is ready once a connection opens; false at the timeout when nothing listens', async () => {
    const port = await freePort();
    const ready = { kind: 'tcp', target: 'localhost:${PORT}', timeout: 5000, interval: 50 } as const;
    expect(await waitUntilReady(ready, context({ port }), timeout(300))).toBe(false);
    const server = createTcpServer((socket) => socket.destroy());
    onTestFinished(() => void server.close());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    expect(await waitUntilReady(ready, context({ port }), timeout(5000))).toBe(true);
  });
});

describe('log readiness', () => {
  it('is ready on a line this run writes that matches, never on earlier lines', async () => {
    const run = context();
    writeFileSync(run.log.path, 'server listening (an earlier run)\n');
    const ready = { kind: 'log', pattern: /listening/, timeout: 5000, interval: 50 } as const;
    const fd = run.log.openForChild('--- header ---');
    onTestFinished(() => run.log.close());
    let settled = false;
    const waiting = waitUntilReady(ready, run, timeout(5000)).finally(() => (settled = true));
    appendFileSync(run.log.path, 'booting\n');
    await sleep(300);
    expect(settled).toBe(false);
    appendFileSync(run.log.path, 'server listening on 3000\n');
    expect(await waiting).toBe(true);
    closeSync(fd);
    expect(await waitUntilReady({ ...ready, pattern: 'never printed' }, run, timeout(300))).toBe(false);
  });
});

describe('ipc readiness', () => {
  it('is ready once the child sends { type: "pm:ready" } or "ready"', async () => {
    const ready = { kind: 'ipc', timeout: 5000, interval: 20 } as const;
    for (const env of [{ READY_DELAY: '200' }, { READY_DELAY: '200', PLAIN: '1' }] as Record<string, string>[]) {
      const ipc = forkWithIpc(fixture('ipc-ready.mjs'), env);
      expect(await waitUntilReady(ready, context({ ipc }), timeout(5000))).toBe(true);
    }
    const silent = forkWithIpc(fixture('sleeper.mjs'), {});
    expect(await waitUntilReady(ready, context({ ipc: silent }), timeout(400))).toBe(false);
  });
});

describe('announce readiness (no kind configured)', () => {
  const ready = { kind: 'none', timeout: 10_000, interval: 20, announce: 400 } as const;

  it('without an IPC channel, or with the window off, is ready at once', async () => {
    expect(await waitUntilReady(ready, context(), timeout(50))).toBe(true);
    expect(
      await waitUntilReady({ ...ready, announce: 0 }, context({ ipc: { channel: true, ready: false, health: null } }), timeout(50)),
    ).toBe(true);
  });

  it('a silent app is ready when the window ends, and remembered as silent', async () => {
    const run = context({ ipc: forkWithIpc(fixture('sleeper.mjs'), {}) });
    const started = Date.now();
    expect(await waitUntilReady(ready, run, timeout(5000))).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(ready.announce - 20);
    expect(run.memory.announces).toBe(false);
    expect(await waitUntilReady(ready, run, timeout(50))).toBe(true); // the window is skipped from now on
  });

  it('an app that announced through @pm/health waits for healthy, past the window', async () => {
    const run = context({ ipc: forkWithIpc(fixture('health-app.mjs'), { READY_AFTER: '1500' }) });
    await waitFor(() => run.ipc.health === 'initializing', { timeout: 5000, message: 'announced' }); // the child loads @pm/health first
    const started = Date.now();
    expect(await waitUntilReady(ready, run, timeout(8000))).toBe(true);
    expect(Date.now() - started).toBeGreaterThan(ready.announce);
    expect(run.ipc.health).toBe('healthy');
    const never = context({ ipc: forkWithIpc(fixture('health-app.mjs'), {}) });
    await waitFor(() => never.ipc.health === 'initializing', { timeout: 5000, message: 'announced' });
    expect(await waitUntilReady(ready, never, timeout(1500))).toBe(false);
    expect(never.ipc.health).toBe('initializing');
  });
});
