import { request } from 'node:http';
import { httpRequest, makeTempDir, waitFor } from '@pm/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startControlApi } from '../src/daemon/http-api.js';
import type { Logger } from '../src/logger.js';
import { fixture, orchestrate } from './helpers.js';
import { onSseFrames } from './sse.js';

/** A logger that keeps what it is given (the control API's own output is what is asserted). */
function recordingLogger(): Logger & { lines: { level: string; msg: string | undefined; obj: unknown }[] } {
  const lines: { level: string; msg: string | undefined; obj: unknown }[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, msg, obj });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Opens an SSE stream and collects the event names of the frames it receives. */
function openEvents(url: string): Promise<{ status: number; names: string[]; close: () => void }> {
  return new Promise((resolve, reject) => {
    const names: string[] = [];
    const req = request(url, (res) => {
      onSseFrames(res, (frame) => {
        const name = /^event: (.*)$/m.exec(frame)?.[1];
        if (name) names.push(name);
      });
      res.on('error', () => undefined);
      resolve({ status: res.statusCode!, names, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('control API when the status cannot be read', () => {
  it('answers 500 with a JSON error (no stack), keeps SSE clients connected and logs, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    onTestFinished(() => void process.off('unhandledRejection', onUnhandled));

    const { orchestrator } = orchestrate({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }] }, { baseDir: makeTempDir() });
    await orchestrator.start();
    // A real orchestrator whose status() fails (as pidusage can): the failure is what is under test.
    const realStatus = orchestrator.status.bind(orchestrator);
    let failing = true;
    orchestrator.status = () => (failing ? Promise.reject(new Error('sampling failed')) : realStatus());

    const logger = recordingLogger();
    const token = 'secret-token';
    const api = await startControlApi({ orchestrator, port: 0, token, logger });
    onTestFinished(() => api.close());
    const base = `http://127.0.0.1:${api.port}`;
    const auth = { authorization: `Bearer ${token}` };

    const status = await httpRequest(`${base}/api/status`, { headers: auth });
    expect(status.status).toBe(500);
    expect(status.headers['content-type']).toBe('application/json');
    expect(status.json).toEqual({ ok: false, error: { code: 'PM_ERROR', message: 'Could not read the status: sampling failed' } });
    expect(status.body).not.toMatch(/\bat .*\.(ts|js):\d+/);

    const events = await openEvents(`${base}/api/events?token=${token}`);
    onTestFinished(() => events.close());
    expect(events.status).toBe(200);
    await waitFor(() => logger.lines.some((l) => l.msg === 'dashboard: could not send the status to a new connection'), { timeout: 5000 });

    // An app event triggers a broadcast, whose status() fails too: logged, the stream stays open.
    const restarted = await httpRequest(`${base}/api/apps/svc/restart`, { method: 'POST', headers: auth });
    expect(restarted.status).toBe(500);
    expect(restarted.json).toEqual({
      ok: false,
      error: { code: 'PM_ERROR', message: 'Could not read the status after restart: sampling failed' },
    });
    await waitFor(() => logger.lines.some((l) => l.msg === 'dashboard: could not send a live status update'), { timeout: 5000 });
    expect(events.names).toContain('lifecycle');
    expect(events.names).not.toContain('status');

    // Once status() works again, the same stream gets status frames and the route answers 200.
    failing = false;
    await orchestrator.restart(['svc']);
    await waitFor(() => events.names.includes('status'), { timeout: 5000 });
    expect((await httpRequest(`${base}/api/status`, { headers: auth })).status).toBe(200);

    expect(
      logger.lines.filter((l) => l.level === 'error').every((l) => (l.obj as { err?: Error }).err?.message === 'sampling failed'),
    ).toBe(true);
    expect(unhandled).toEqual([]);
  });
});

describe('control API and the Origin header', () => {
  it("refuses any Origin but the dashboard's own with 403, even with the right token; no Origin (the CLI, curl) is served", async () => {
    const { orchestrator } = orchestrate({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }] }, { baseDir: makeTempDir() });
    await orchestrator.start();
    const token = 'secret-token';
    const api = await startControlApi({ orchestrator, port: 0, token });
    onTestFinished(() => api.close());
    const base = `http://127.0.0.1:${api.port}`;
    const call = (origin: string | undefined, path = '/api/status', method = 'GET') =>
      httpRequest(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(origin ? { origin } : {}) } });

    expect((await call(undefined)).status).toBe(200);
    expect((await call(`http://127.0.0.1:${api.port}`)).status).toBe(200);
    expect((await call(`http://localhost:${api.port}`)).status).toBe(200);
    for (const foreign of [
      'https://evil.example',
      'null',
      `http://127.0.0.1:${api.port + 1}`,
      `https://127.0.0.1:${api.port}`,
      'http://127.0.0.1',
    ]) {
      const refused = await call(foreign);
      expect(refused.status, foreign).toBe(403);
      expect(refused.json).toMatchObject({
        ok: false,
        error: { code: 'PM_FORBIDDEN', message: expect.stringContaining('other web pages') },
      });
    }
    // A refused control call does nothing.
    const [before] = await orchestrator.status();
    expect((await call('https://evil.example', '/api/apps/svc/restart', 'POST')).status).toBe(403);
    expect((await call('https://evil.example', `/api/events?token=${token}`)).status).toBe(403);
    const [after] = await orchestrator.status();
    expect([after!.pid, after!.restarts]).toEqual([before!.pid, 0]);
  });
});
