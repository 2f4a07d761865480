import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { httpRequest, makeTempDir, sleep, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { keepAliveAgent, startApp } from './helpers.js';

describe('graceful shutdown of a real process', () => {
  it('SIGTERM while a slow request is in flight: it completes with 200, then the process exits 0', async () => {
    const { app, url } = await startApp();
    const slow = httpRequest(`${url}/slow?ms=800`);
    await app.waitForLine('slow request started');
    app.kill('SIGTERM');
    // The response arriving whole proves the process waited for it: had it exited first, the request would have failed.
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.body).toBe('slow done after 800 ms');
    expect(res.headers.connection).toBe('close');
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(app.stdout).toContain('exit 0');
  });

  it('200 idle keep-alive sockets do not delay exit', async () => {
    const { app, url } = await startApp();
    const agent = keepAliveAgent();
    // 200 requests in parallel over 200 sockets, which then sit idle in the agent's pool.
    const responses = await Promise.all(Array.from({ length: 200 }, () => httpRequest(`${url}/`, { agent })));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(Object.values(agent.freeSockets).flat().length).toBe(200);
    const signalledAt = Date.now();
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    // keepAliveTimeout is 60 s in the fixture: only closing idle sockets at once gets us out this fast.
    expect(Date.now() - signalledAt).toBeLessThan(3000);
    agent.destroy();
  });

  it('refuses new connections once draining, while the in-flight request still completes', async () => {
    const { app, url, port } = await startApp();
    const slow = httpRequest(`${url}/slow?ms=1500`);
    await app.waitForLine('slow request started');
    app.kill('SIGTERM');
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(false);
          });
          socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
        }),
      { timeout: 1000, message: 'connection refused' },
    );
    expect(app.stdout).not.toContain('exit 0');
    expect((await slow).status).toBe(200);
    expect((await app.exited).code).toBe(0);
  });

  it('runs hooks by ascending order, equal orders in the order added, after the servers closed', async () => {
    const { app } = await startApp({
      hooks: [
        { name: 'db', order: 10 },
        { name: 'workers', order: 0 },
        { name: 'queue', order: 0 },
        { name: 'flush-logs', order: 20 },
      ],
    });
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    const started = app.stdout.filter((l) => l.startsWith('hook ') && l.includes(' start'));
    expect(started).toEqual([
      'hook workers start SIGTERM',
      'hook queue start SIGTERM',
      'hook db start SIGTERM',
      'hook flush-logs start SIGTERM',
    ]);
  });

  it('goes past a throwing hook and a hanging hook, exits 1 within the total timeout', async () => {
    const { app } = await startApp({
      timeout: 5000,
      hooks: [
        { name: 'throws', order: 1, behaviour: 'throw' },
        { name: 'hangs', order: 2, behaviour: 'hang', timeout: 500 },
        { name: 'after', order: 3 },
      ],
    });
    const signalledAt = Date.now();
    app.kill('SIGTERM');
    const exit = await app.exited;
    const elapsed = Date.now() - signalledAt;
    expect(exit.code).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(5000);
    expect(app.stdout).toContain('hook after done');
    expect(app.stdout).not.toContain('hook hangs done');
  });

  it('a response that never ends (SSE) is cut at drainTimeout; hooks and the lock release still run, exit 1', async () => {
    const lockFile = join(makeTempDir(), 'app.pid');
    const { app, url } = await startApp({ lockFile, drainTimeout: 600, timeout: 10_000, hooks: [{ name: 'db' }] });
    const stream = httpRequest(`${url}/stream`).catch((error: Error) => error);
    await app.waitForLine('stream open');
    const signalledAt = Date.now();
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(1);
    const elapsed = Date.now() - signalledAt;
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(5000);
    expect(app.stdout).toContain('hook db done');
    expect(app.stdout).toContain('lock released');
    expect(existsSync(lockFile)).toBe(false);
    await stream;
  });

  it('forces exit 1 when the total timeout elapses', async () => {
    const { app } = await startApp({ timeout: 800, hookTimeout: 5000, hooks: [{ name: 'hangs', behaviour: 'hang' }] });
    const signalledAt = Date.now();
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(1);
    const elapsed = Date.now() - signalledAt;
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(elapsed).toBeLessThan(4000);
  });

  it('a second SIGINT forces exit at once', async () => {
    const { app } = await startApp({ hookTimeout: 20_000, timeout: 25_000, hooks: [{ name: 'hangs', behaviour: 'hang' }] });
    app.kill('SIGINT');
    await app.waitForLine('hook hangs start SIGINT');
    const secondAt = Date.now();
    app.kill('SIGINT');
    expect((await app.exited).code).toBe(1);
    expect(Date.now() - secondAt).toBeLessThan(2000);
  });

  it.each([
    { startedBy: 'shutdown(reason)', config: { selfShutdown: true }, reason: 'self' },
    { startedBy: 'an uncaught exception', config: { handleErrors: true, throwAfterListen: true }, reason: 'uncaughtException' },
  ])('after a shutdown started by $startedBy, the first signal does not force exit; a second signal does', async ({ config, reason }) => {
    const { app } = await startApp({ ...config, hookTimeout: 20_000, timeout: 25_000, hooks: [{ name: 'hangs', behaviour: 'hang' }] });
    await app.waitForLine(`hook hangs start ${reason}`);
    app.kill('SIGTERM');
    // Generous: a wrongly forced exit takes a few ms.
    await sleep(500);
    expect(app.child.exitCode).toBeNull();
    expect(app.stdout.some((l) => l.startsWith('exit'))).toBe(false);
    const secondAt = Date.now();
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(1);
    expect(Date.now() - secondAt).toBeLessThan(2000);
  });

  it('a signal listed twice in signals is handled once: one SIGTERM shuts down cleanly (exit 0), not forced', async () => {
    const { app } = await startApp({ signals: ['SIGTERM', 'SIGHUP', 'SIGTERM'], hooks: [{ name: 'db', behaviour: 'slow' }] });
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    expect(app.stdout).toContain('hook db done');
    expect(app.stdout).toContain('exit 0');
  });

  it('releases the lock last: the lock file is gone after exit', async () => {
    const lockFile = join(makeTempDir(), 'app.pid');
    const { app } = await startApp({ lockFile, hooks: [{ name: 'db' }] });
    expect(existsSync(lockFile)).toBe(true);
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
    const order = app.stdout.filter((l) => l === 'hook db done' || l === 'lock released' || l.startsWith('exit'));
    expect(order).toEqual(['hook db done', 'lock released', 'exit 0']);
  });

  it('releases a real @pm/lock lock on SIGTERM', async () => {
    const lockFile = join(makeTempDir(), 'real.pid');
    const { app } = await startApp({ realLock: lockFile });
    expect(existsSync(lockFile)).toBe(true);
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    expect(app.stdout).toContain('lock released');
    expect(existsSync(lockFile)).toBe(false);
  });

  it('/readyz is 503 during the drain delay while /livez stays 200 and requests are still served', async () => {
    const { app, url } = await startApp({ drainDelay: 3000 });
    expect((await httpRequest(`${url}/readyz`)).status).toBe(200);
    app.kill('SIGTERM');
    await waitFor(async () => (await httpRequest(`${url}/readyz`)).status === 503, { timeout: 1000, message: '/readyz 503' });
    expect((await httpRequest(`${url}/livez`)).status).toBe(200);
    const health = await httpRequest(`${url}/health`);
    expect(health.status).toBe(503);
    expect(health.json).toMatchObject({ status: 'shutting_down' });
    expect((await httpRequest(`${url}/`)).body).toBe('ok');
    // Still served during the delay, but keep-alive clients are told to reconnect (elsewhere).
    const agent = keepAliveAgent(1);
    expect((await httpRequest(`${url}/`, { agent })).headers.connection).toBe('close');
    agent.destroy();
    expect((await app.exited).code).toBe(0);
  });

  it('closes a keep-alive socket right after its in-flight response (Connection: close)', async () => {
    const { app, url } = await startApp();
    const agent = keepAliveAgent(1);
    expect((await httpRequest(`${url}/`, { agent })).headers.connection).toBe('keep-alive');
    const slow = httpRequest(`${url}/slow?ms=500`, { agent });
    await app.waitForLine('slow request started');
    app.kill('SIGTERM');
    const res = await slow;
    expect(res.headers.connection).toBe('close');
    expect((await app.exited).code).toBe(0);
    agent.destroy();
  });

  it('shutdown(reason) runs the same sequence', async () => {
    const { app } = await startApp({ selfShutdown: true, hooks: [{ name: 'h' }] });
    expect((await app.exited).code).toBe(0);
    expect(app.stdout).toContain('hook h start self');
  });

  it('handleErrors: an uncaught exception runs the sequence and exits 1', async () => {
    const { app } = await startApp({ handleErrors: true, throwAfterListen: true, hooks: [{ name: 'h' }] });
    expect((await app.exited).code).toBe(1);
    expect(app.stdout).toContain('hook h start uncaughtException');
    expect(app.stdout).toContain('exit 1');
  });

  it('handleErrors: an unhandled rejection runs the sequence and exits 1', async () => {
    const { app } = await startApp({ handleErrors: true, rejectAfterListen: true, hooks: [{ name: 'h' }] });
    expect((await app.exited).code).toBe(1);
    expect(app.stdout).toContain('hook h start unhandledRejection');
  });

  it('without handleErrors an uncaught exception is left to node (no hooks run)', async () => {
    const { app } = await startApp({ throwAfterListen: true, hooks: [{ name: 'h' }] });
    expect((await app.exited).code).toBe(1);
    expect(app.stdout.some((l) => l.startsWith('hook'))).toBe(false);
    expect(app.stderr.join('\n')).toContain('boom from the app');
  });

  it('a request already in the kernel buffer of an idle keep-alive socket at SIGTERM is served, not reset', async () => {
    const { app, url } = await startApp();
    const blocker = keepAliveAgent(1);
    const idle = keepAliveAgent(1);
    await httpRequest(`${url}/`, { agent: idle }); // leaves one idle pooled socket
    const blocked = httpRequest(`${url}/block?ms=1500`, { agent: blocker });
    await app.waitForLine('blocking');
    // The server's event loop is stuck: the signal lands, then this request's bytes reach the idle
    // socket's buffer unread. When the loop resumes both are pending; the request must be served,
    // not lost with a socket closed as "idle".
    app.kill('SIGTERM');
    await sleep(100);
    const pending = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = request(`${url}/`, { agent: idle }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end();
    });
    expect((await blocked).status).toBe(200);
    // (libuv runs signal callbacks after the socket reads of the same poll, so the request is parsed
    // first and answered keep-alive; the socket is closed right after as idle.)
    expect((await pending).status).toBe(200);
    expect((await app.exited).code).toBe(0);
    blocker.destroy();
    idle.destroy();
  });

  it('https: a TCP connection stuck before its TLS handshake is destroyed at drainTimeout; hooks and the lock release still run, exit 1', async () => {
    // The committed test certificate (test/fixtures/tls-*.pem) serves the fixture's https server.
    const lockFile = join(makeTempDir(), 'app.pid');
    const { app, port } = await startApp(
      { tls: true, lockFile, drainTimeout: 800, timeout: 10_000, hooks: [{ name: 'db' }] },
      { PROCESS_MANAGER_DEBUG: 'true' },
    );
    // Connected, but no ClientHello ever sent: a stalled client, or a load balancer's TCP probe.
    const stalled = connect(port, '127.0.0.1');
    stalled.on('error', () => {});
    await new Promise((resolve) => stalled.once('connect', resolve));
    // The server accepts in order: once a later connection has been served, the stalled one has been accepted too.
    const served = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/', agent: false, rejectUnauthorized: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    expect(served).toBe(200);
    const signalledAt = Date.now();
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(1);
    const elapsed = Date.now() - signalledAt;
    expect(elapsed).toBeGreaterThanOrEqual(750);
    // Far below the 10 s total timeout, which would have forced exit without hooks.
    expect(elapsed).toBeLessThan(5000);
    expect(app.stdout).toContain('hook db done');
    expect(app.stdout).toContain('lock released');
    expect(existsSync(lockFile)).toBe(false);
    const log = app.stderr.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.find((l) => l.code === 'PM_SHUTDOWN_DRAIN_TIMEOUT')).toMatchObject({ connections: 1 });
    expect(log.find((l) => l.code === 'PM_SHUTDOWN_TIMEOUT')).toBeUndefined();
    stalled.destroy();
  });

  it('drains an https server too: the in-flight request completes, idle TLS sockets do not delay exit', async () => {
    const { app, port } = await startApp({ tls: true });
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 50, rejectUnauthorized: false });
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    expect(await Promise.all(Array.from({ length: 20 }, () => get('/')))).toEqual(Array(20).fill(200));
    const slow = get('/slow?ms=800');
    await app.waitForLine('slow request started');
    const signalledAt = Date.now();
    app.kill('SIGTERM');
    expect(await slow).toBe(200);
    expect((await app.exited).code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(3000);
    agent.destroy();
  });
});
