import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, httpRequest, makeTempDir, waitFor } from '@pm/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { requestDaemon } from '../src/daemon/client.js';
import { connectionLimits } from '../src/daemon/connection-guard.js';
import { startControlApi } from '../src/daemon/http-api.js';
import { socketServerLimits, startSocketServer } from '../src/daemon/socket-server.js';
import { makeProject, pmStart, projectPids } from './cli-helpers.js';
import { fixture, orchestrate } from './helpers.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** An idle client connection (it sends nothing), with what it received and whether the other side closed it. */
interface Idle {
  socket: Socket;
  closed: boolean;
  received: string;
}

/** Opens `count` connections that send nothing, and waits until each is connected or already closed. */
async function openIdle(count: number, target: { port: number } | { path: string }): Promise<Idle[]> {
  const all = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Idle>((resolve) => {
          const socket = 'port' in target ? connect(target.port, '127.0.0.1') : connect(target.path);
          const idle: Idle = { socket, closed: false, received: '' };
          socket.setEncoding('utf8');
          socket.on('data', (chunk: string) => (idle.received += chunk));
          socket.on('error', () => undefined);
          socket.on('close', () => {
            idle.closed = true;
            resolve(idle);
          });
          socket.on('connect', () => resolve(idle));
        }),
    ),
  );
  onTestFinished(() => all.forEach((i) => i.socket.destroy()));
  return all;
}

/** Descriptors the daemon may open or close meanwhile on its own (/proc reads, log files, pidusage). */
const FD_SLACK = 6;

/** Open descriptors of a process (sockets included). */
const fdCount = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

describe('connection caps before authentication (a local user holding idle connections)', () => {
  it('a real daemon holds at most its caps of idle connections on the control port and daemon.sock; the token holder still gets in', async () => {
    const port = await freePort();
    const { dir } = makeProject({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }], dashboard: { port } });
    await pmStart(dir);
    const daemon = projectPids(dir).daemon!;
    const { token } = JSON.parse(readFileSync(join(dir, '.pm', 'control.json'), 'utf8')) as { token: string };
    const status = () => httpRequest(`http://127.0.0.1:${port}/api/status`, { headers: { authorization: `Bearer ${token}` } });
    const before = fdCount(daemon);

    const http = await openIdle(300, { port });
    await waitFor(() => http.filter((i) => i.closed).length >= 300 - connectionLimits.maxUnauthenticated, { timeout: 15_000 });
    // Settles at the cap (the slack is the daemon's own churn: /proc reads, log files); without caps it is 300 more.
    const heldHttp = await waitFor(
      () => {
        const held = fdCount(daemon) - before;
        return held <= connectionLimits.maxUnauthenticated + FD_SLACK ? { held } : null;
      },
      { timeout: 5000, message: `the daemon holds at most ${connectionLimits.maxUnauthenticated} idle control connections` },
    );
    console.log(`control port: 300 idle connections, daemon holds ${heldHttp.held} more fds`);
    // The oldest idle one gives way to a newcomer: the token holder gets in even while they are held.
    expect((await status()).status).toBe(200);

    const unix = await openIdle(200, { path: join(dir, '.pm', 'daemon.sock') });
    await waitFor(() => unix.filter((i) => i.closed).length >= 200 - socketServerLimits.maxConnections, { timeout: 15_000 });
    const refused = unix.filter((i) => i.closed);
    // The extra are told why, not just dropped.
    expect(refused.every((i) => JSON.parse(i.received).error.code === 'PM_BUSY')).toBe(true);
    const cap = connectionLimits.maxUnauthenticated + socketServerLimits.maxConnections;
    const heldTotal = await waitFor(
      () => {
        const held = fdCount(daemon) - before;
        return held <= cap + FD_SLACK ? { held } : null;
      },
      { timeout: 5000, message: `the daemon holds at most ${cap} idle connections in all` },
    );
    console.log(
      `daemon.sock: 200 idle connections, ${refused.length} refused with PM_BUSY; daemon holds ${heldTotal.held} more fds in all`,
    );

    for (const idle of [...http, ...unix]) idle.socket.destroy();
    await waitFor(async () => (await requestDaemon(join(dir, '.pm', 'daemon.sock'), { cmd: 'status' }, 5000)).ok, { timeout: 10_000 });
    expect((await status()).status).toBe(200);
    await waitFor(() => fdCount(daemon) <= before + FD_SLACK, { timeout: 10_000, message: 'the daemon let go of the closed connections' });
  });

  it('closes control-port connections that do not authenticate in time, but not the authenticated ones', async () => {
    const { orchestrator } = orchestrate({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }] }, { baseDir: makeTempDir() });
    await orchestrator.start();
    const token = 'secret-token';
    const api = await startControlApi({ orchestrator, port: 0, token, logger: silent, limits: { authenticateWithin: 300 } });
    onTestFinished(() => api.close());
    const [idle] = await openIdle(1, { port: api.port });
    // One that authenticates, then keeps its connection open for a second request.
    const [kept] = await openIdle(1, { port: api.port });
    const get = `GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`;
    kept!.socket.write(get);
    await waitFor(() => kept!.received.includes('"svc"'), { timeout: 5000 });
    await waitFor(() => idle!.closed, { timeout: 5000, message: 'the idle connection was closed' });
    await new Promise((r) => setTimeout(r, 400));
    expect(kept!.closed).toBe(false);
    kept!.received = '';
    kept!.socket.write(get);
    await waitFor(() => kept!.received.includes('"svc"'), { timeout: 5000 });
  });

  it('answers daemon.sock connections that send no request line in time with PM_BAD_REQUEST', async () => {
    const base = makeTempDir();
    const { orchestrator } = orchestrate({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }] }, { baseDir: base });
    const server = await startSocketServer({
      socketPath: join(base, 'd.sock'),
      home: base,
      orchestrator,
      configFile: join(base, 'pm.config.json'),
      dashboard: () => null,
      onRequest: { begin: () => undefined, end: () => undefined },
      logger: silent,
      limits: { requestTimeout: 300 },
    });
    onTestFinished(() => server.close());
    const [idle] = await openIdle(1, { path: join(base, 'd.sock') });
    idle!.socket.write('{"cmd":');
    await waitFor(() => idle!.closed, { timeout: 5000 });
    expect(JSON.parse(idle!.received)).toMatchObject({
      ok: false,
      error: { code: 'PM_BAD_REQUEST', message: /No complete request line within 300 ms/ },
    });
    expect((await requestDaemon(join(base, 'd.sock'), { cmd: 'status' }, 5000)).ok).toBe(true);
  });
});

describe('README security model', () => {
  it('states the limits the code has', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8').replace(/\s+/g, ' ');
    const s = (ms: number) => `${ms / 1000} s`;
    expect(readme).toContain(`at most ${connectionLimits.maxUnauthenticated} such connections on the control port`);
    expect(readme).toContain(`each closed after ${s(connectionLimits.authenticateWithin)} without a request carrying the token`);
    expect(readme).toContain(`headers must arrive within ${s(connectionLimits.headersTimeout)}`);
    expect(readme).toContain(`idle keep-alive connection closes after ${s(connectionLimits.keepAliveTimeout)}`);
    expect(readme).toContain(`no more than ${connectionLimits.maxConnections} connections are open at once`);
    expect(readme).toContain(`daemon.sock takes at most ${socketServerLimits.maxConnections} connections`);
    expect(readme).toContain(`send its request line within ${s(socketServerLimits.requestTimeout)}`);
    expect(readme).toContain(`is over ${socketServerLimits.maxRequestBytes / 1024} KiB`);
  });
});
