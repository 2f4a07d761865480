import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest, sleep } from '@pm/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealth, HealthErrorCodes, type Health, type HealthOptions } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A real server on 127.0.0.1 serving `health.handler`. */
async function serve(options: HealthOptions = {}, ready = true): Promise<{ health: Health; url: string }> {
  const health = createHealth(options);
  if (ready) health.setReady();
  const server = createServer(health.handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { health, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('report', () => {
  it('answers 503 {"status":"initializing"} before setReady, 200 healthy after, with the full report shape', async () => {
    const { health, url } = await serve({ info: () => ({ activeAgents: 2, databaseStatus: 'connected' }) }, false);
    const before = await httpRequest(`${url}/health`);
    expect(before.status).toBe(503);
    expect(before.json).toMatchObject({ status: 'initializing' });

    health.setReady();
    const after = await httpRequest(`${url}/health`);
    expect(after.status).toBe(200);
    expect(after.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(after.headers['cache-control']).toBe('no-store');
    const body = after.json as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'status',
      'timestamp',
      'pid',
      'uptime',
      'memoryUsage',
      'startedAt',
      'checks',
      'activeAgents',
      'databaseStatus',
    ]);
    expect(body).toMatchObject({ status: 'healthy', pid: process.pid, checks: {}, activeAgents: 2, databaseStatus: 'connected' });
    expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
    expect(new Date(body.startedAt as string).getTime()).toBeLessThanOrEqual(Date.now());
    expect(body.uptime).toBeGreaterThan(0);
    expect(Object.keys(body.memoryUsage as object)).toEqual(['heapUsed', 'heapTotal', 'external', 'rss']);
  });

  it('never lets info() fields replace built-in ones, and survives a throwing info()', async () => {
    const { url } = await serve({ info: () => ({ status: 'fine', pid: 1, extra: true }) });
    const res = await httpRequest(`${url}/health`);
    expect(res.json).toMatchObject({ status: 'healthy', pid: process.pid, extra: true });

    const broken = await serve({
      info: async () => {
        throw new Error('db down');
      },
    });
    const res2 = await httpRequest(`${broken.url}/health`);
    expect(res2.status).toBe(200);
    expect(res2.json).not.toHaveProperty('extra');
  });

  it('answers without the info() fields, and warns, when info() has not settled within checkTimeout', async () => {
    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, warn: (obj: unknown, msg?: string) => warnings.push([obj, msg]), error() {} };
    // A stuck status query: the promise never settles.
    const { url } = await serve({ checkTimeout: 300, checks: { db: () => true }, info: () => new Promise(() => {}), logger });
    const startedAt = Date.now();
    const res = await httpRequest(`${url}/health`, { timeout: 5000 });
    const elapsed = Date.now() - startedAt;
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'healthy', checks: { db: { status: 'pass' } } });
    expect(Object.keys(res.json as object)).toEqual(['status', 'timestamp', 'pid', 'uptime', 'memoryUsage', 'startedAt', 'checks']);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3000);
    expect(warnings).toEqual([[{ timeout: 300 }, expect.stringContaining('info() did not settle within checkTimeout (300 ms)')]]);
  });

  it('is unhealthy (503) when a critical check fails, healthy with a failing non-critical one', async () => {
    const { url } = await serve({
      checks: {
        db: async () => {
          throw new Error('connection refused');
        },
        cache: { check: () => false, critical: false },
        disk: () => 'fine',
      },
    });
    const res = await httpRequest(`${url}/health`);
    expect(res.status).toBe(503);
    const body = res.json as { status: string; checks: Record<string, Record<string, unknown>> };
    expect(body.status).toBe('unhealthy');
    expect(body.checks.db).toMatchObject({ status: 'fail', critical: true, error: 'connection refused' });
    expect(body.checks.cache).toMatchObject({ status: 'fail', critical: false, error: 'Check "cache" returned false' });
    expect(body.checks.disk).toMatchObject({ status: 'pass', critical: true });
    expect(typeof body.checks.disk!.durationMs).toBe('number');
    // No secrets: message only, no stack, no code.
    expect(res.body).not.toContain(' at ');
    expect(body.checks.db).not.toHaveProperty('stack');

    const lenient = await serve({ checks: { cache: { check: () => false, critical: false } } });
    expect((await httpRequest(`${lenient.url}/health`)).status).toBe(200);
  });

  it('shows stacks and codes only with exposeDetails', async () => {
    const { url } = await serve({
      exposeDetails: true,
      checks: {
        db: async () => {
          throw new Error('nope');
        },
      },
    });
    const body = (await httpRequest(`${url}/health`)).json as { checks: Record<string, Record<string, unknown>> };
    expect(body.checks.db).toMatchObject({ error: 'nope', code: HealthErrorCodes.checkFailed });
    expect(String(body.checks.db!.stack)).toContain('Error: nope');
  });

  it('contains nothing from the environment', async () => {
    process.env.PM_HEALTH_TEST_SECRET = 'hunter2-secret-value';
    try {
      const { url } = await serve({
        exposeDetails: true,
        checks: {
          x: () => {
            throw new Error('x');
          },
        },
      });
      const res = await httpRequest(`${url}/health`);
      expect(res.body).not.toContain('hunter2-secret-value');
    } finally {
      delete process.env.PM_HEALTH_TEST_SECRET;
    }
  });

  it('report() returns the same report as the endpoint', async () => {
    const health = createHealth({ checks: { a: () => true } });
    health.setReady();
    const report = await health.report();
    expect(report).toMatchObject({ status: 'healthy', checks: { a: { status: 'pass' } } });
    health.setShuttingDown();
    expect((await health.report()).status).toBe('shutting_down');
    health.setReady(); // no way back from shutting_down
    expect(health.state).toBe('shutting_down');
  });

  it('serves the IETF health+json format when asked', async () => {
    const { url } = await serve({
      format: 'ietf',
      info: () => ({ version: '1.2.3' }),
      checks: { db: () => true, cache: { check: () => false, critical: false } },
    });
    const res = await httpRequest(`${url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/health+json; charset=utf-8');
    const body = res.json as { status: string; version: string; checks: Record<string, Array<Record<string, unknown>>> };
    expect(body.status).toBe('warn');
    expect(body.version).toBe('1.2.3');
    expect(body.checks.db![0]).toMatchObject({ status: 'pass', observedUnit: 'ms' });
    expect(body.checks.cache![0]).toMatchObject({ status: 'warn', output: 'Check "cache" returned false' });
    expect(body.checks.uptime![0]).toMatchObject({ status: 'pass', observedUnit: 's' });
  });
});

describe('probes and routing', () => {
  it('/livez stays 200 in every state; /readyz is 503 while initializing and shutting down', async () => {
    const { health, url } = await serve({}, false);
    expect((await httpRequest(`${url}/livez`)).status).toBe(200);
    expect((await httpRequest(`${url}/readyz`)).json).toEqual({ status: 'initializing' });
    expect((await httpRequest(`${url}/readyz`)).status).toBe(503);
    health.setReady();
    expect((await httpRequest(`${url}/readyz`)).status).toBe(200);
    health.setShuttingDown();
    const ready = await httpRequest(`${url}/readyz?verbose=1`);
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ status: 'shutting_down' });
    expect((await httpRequest(`${url}/livez`)).status).toBe(200);
    expect((await httpRequest(`${url}/health`)).status).toBe(503);
  });

  it('/readyz runs the critical checks only with readyChecks', async () => {
    const checks = {
      db: async () => {
        throw new Error('down');
      },
    };
    const plain = await serve({ checks });
    expect((await httpRequest(`${plain.url}/readyz`)).status).toBe(200);
    const strict = await serve({ checks, readyChecks: true });
    const res = await httpRequest(`${strict.url}/readyz`);
    expect(res.status).toBe(503);
    expect(res.json).toEqual({ status: 'unhealthy' });
  });

  it('serves configured paths, answers HEAD, 405 for other methods and 404 for other paths', async () => {
    const { url } = await serve({ paths: { health: '/api/health', live: '/alive', ready: '/ready' } });
    expect((await httpRequest(`${url}/api/health`)).status).toBe(200);
    expect((await httpRequest(`${url}/alive`)).status).toBe(200);
    expect((await httpRequest(`${url}/ready`)).status).toBe(200);
    expect((await httpRequest(`${url}/health`)).status).toBe(404);
    const head = await httpRequest(`${url}/api/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(50);
    const post = await httpRequest(`${url}/api/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('works as middleware: other paths fall through to next()', async () => {
    const health = createHealth();
    health.setReady();
    const server = createServer((req, res) => health.handler(req, res, () => res.end('app')));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await httpRequest(`${url}/users`)).body).toBe('app');
    expect((await httpRequest(`${url}/health`, { method: 'POST' })).body).toBe('app');
    expect((await httpRequest(`${url}/health`)).status).toBe(200);
  });
});

describe('checks under load', () => {
  it('cuts a hanging check off at its timeout and reports it; the endpoint answers within the timeout', async () => {
    const { url } = await serve({ checks: { stuck: { check: () => new Promise(() => {}), timeout: 300 }, ok: () => true } });
    const started = Date.now();
    const res = await httpRequest(`${url}/health`);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(503);
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(2000);
    const body = res.json as { checks: Record<string, Record<string, unknown>> };
    expect(body.checks.stuck).toMatchObject({ status: 'fail', error: 'Check "stuck" timed out after 300 ms' });
    expect(body.checks.ok).toMatchObject({ status: 'pass' });

    // The hung run is not started again per request: the next request answers at once.
    const again = Date.now();
    const res2 = await httpRequest(`${url}/health`);
    expect(Date.now() - again).toBeLessThan(250);
    expect((res2.json as { checks: Record<string, Record<string, unknown>> }).checks.stuck!.error).toContain('still running');
  });

  it('aborts the signal given to a check that times out, and runs it again once it settled', async () => {
    let aborted = 0;
    let calls = 0;
    const health = createHealth({
      checks: {
        slow: {
          timeout: 100,
          check: (signal) => {
            calls++;
            return new Promise((resolve) =>
              signal.addEventListener('abort', () => {
                aborted++;
                setTimeout(resolve, 50);
              }),
            );
          },
        },
      },
    });
    health.setReady();
    expect((await health.report()).checks.slow!.status).toBe('fail');
    expect(aborted).toBe(1);
    await sleep(150);
    await health.report();
    expect(calls).toBe(2);
  });

  it('a check that throws synchronously fails that run only: /health recovers as soon as the dependency does', async () => {
    let up = false;
    // A plain (not async) function: its throw happens inside the call, before any promise exists.
    const { url } = await serve({
      checks: {
        db: () => {
          if (!up) throw new Error('db down');
          return true;
        },
      },
    });
    const down = await httpRequest(`${url}/health`);
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ status: 'unhealthy', checks: { db: { status: 'fail', error: 'db down' } } });
    up = true;
    const recovered = await httpRequest(`${url}/health`);
    expect(recovered.status).toBe(200);
    expect(recovered.json).toMatchObject({ status: 'healthy', checks: { db: { status: 'pass' } } });
    // Again, with concurrent requests: each sees the failure, then each sees the recovery.
    up = false;
    expect((await Promise.all([1, 2, 3].map(() => httpRequest(`${url}/health`)))).map((r) => r.status)).toEqual([503, 503, 503]);
    up = true;
    expect((await Promise.all([1, 2, 3].map(() => httpRequest(`${url}/health`)))).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('100 concurrent /health requests run a slow check once', async () => {
    let runs = 0;
    const { url } = await serve({
      checks: {
        slow: () => {
          runs++;
          return sleep(300);
        },
      },
    });
    const results = await Promise.all(Array.from({ length: 100 }, () => httpRequest(`${url}/health`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(runs).toBe(1);
  });

  it('reuses a result for cacheMs', async () => {
    let runs = 0;
    const health = createHealth({
      cacheMs: 200,
      checks: {
        c: () => {
          runs++;
        },
      },
    });
    health.setReady();
    await health.report();
    await health.report();
    expect(runs).toBe(1);
    await sleep(250);
    await health.report();
    expect(runs).toBe(2);
  });

  it('addCheck returns a remover; checks are not run while initializing or shutting down', async () => {
    let runs = 0;
    const health = createHealth();
    const remove = health.addCheck('x', () => {
      runs++;
    });
    await health.report();
    expect(runs).toBe(0);
    health.setReady();
    expect((await health.report()).checks).toHaveProperty('x');
    remove();
    expect((await health.report()).checks).toEqual({});
    health.addCheck('y', () => {
      runs++;
    });
    health.setShuttingDown();
    await health.report();
    expect(runs).toBe(1);
  });
});

describe('report reuse within a millisecond', () => {
  it('serves one report per millisecond under a burst, but never across a state or check change', async () => {
    const { health, url } = await serve();
    // Freeze the clock that keys the reuse, so "the same millisecond" lasts as long as the test needs.
    const realNow = Date.now;
    const frozen = realNow();
    Date.now = () => frozen;
    try {
      const a = await httpRequest(`${url}/health`);
      await sleep(20);
      const b = await httpRequest(`${url}/health`);
      expect(b.body).toBe(a.body);

      health.addCheck('db', () => true);
      const c = await httpRequest(`${url}/health`);
      expect(c.json).toMatchObject({ checks: { db: { status: 'pass' } } });

      health.setShuttingDown();
      const d = await httpRequest(`${url}/health`);
      expect(d.status).toBe(503);
      expect(d.json).toMatchObject({ status: 'shutting_down', checks: {} });
    } finally {
      Date.now = realNow;
    }
  });
});
