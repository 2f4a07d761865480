import { statfs } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { httpRequest } from '@pm/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDefaults,
  createHealth,
  diskCheck,
  HealthErrorCodes,
  httpCheck,
  memoryCheck,
  pingCheck,
  tcpCheck,
  type CheckDefinition,
  type HealthReport,
} from '../src/index.js';
import { closedPort, hungServer, serveHealth, timed } from './services.js';

/** Runs a definition the way createHealth does and returns its report entry. */
async function runOnce(definition: CheckDefinition, name = 'c'): Promise<HealthReport['checks'][string]> {
  const health = createHealth({ announceToSupervisor: false, checks: { [name]: definition } });
  health.setReady();
  const report = await health.report();
  health.setShuttingDown();
  return report.checks[name]!;
}

describe('httpCheck', () => {
  let server: Server;
  let base: string;
  const sockets = new Set<unknown>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.end('{"status":"ok"}');
      else if (req.url === '/down') res.writeHead(503).end('down');
      else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
      else if (req.url === '/auth') res.writeHead(req.headers.authorization === 'Bearer t' ? 200 : 401).end();
      else if (req.url === '/hang')
        return; // never answers
      else res.writeHead(404).end();
    });
    server.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('2xx passes with status code and latency; other codes fail with the host and code, never the URL path', async () => {
    const ok = await runOnce(httpCheck(`${base}/ok`));
    expect(ok).toMatchObject({ status: 'pass', details: { statusCode: 200, redirects: 0 } });
    const down = await runOnce(httpCheck(`http://user:secret@127.0.0.1:${new URL(base).port}/down`));
    expect(down).toMatchObject({ status: 'fail', details: { statusCode: 503 } });
    expect(down.error).toBe(`127.0.0.1:${new URL(base).port} answered 503`);
    expect(JSON.stringify(down)).not.toMatch(/secret/);
  });

  it('expect: a code, a list or a predicate', async () => {
    expect((await runOnce(httpCheck(`${base}/down`, { expect: 503 }))).status).toBe('pass');
    expect((await runOnce(httpCheck(`${base}/down`, { expect: [200, 503] }))).status).toBe('pass');
    expect((await runOnce(httpCheck(`${base}/ok`, { expect: (s) => s === 204 }))).status).toBe('fail');
  });

  it('follows no redirect unless asked', async () => {
    expect(await runOnce(httpCheck(`${base}/moved`))).toMatchObject({ status: 'fail', details: { statusCode: 302 } });
    expect(await runOnce(httpCheck(`${base}/moved`, { followRedirects: 2 }))).toMatchObject({
      status: 'pass',
      details: { statusCode: 200, redirects: 1 },
    });
  });

  it('sends the configured headers and reuses one keep-alive connection', async () => {
    const check = httpCheck(`${base}/auth`, { headers: { authorization: 'Bearer t' }, cacheMs: 0 });
    const served = await serveHealth({ checks: { dep: check } });
    try {
      const before = sockets.size;
      for (let i = 0; i < 5; i++) expect((await httpRequest(`${served.url}/health`)).status).toBe(200);
      expect(sockets.size - before).toBe(1);
    } finally {
      await served.close(); // stops the check: its agent is destroyed
    }
  });

  it('a hung dependency fails at the timeout and /health stays responsive; an unreachable one fails fast', async () => {
    const served = await serveHealth({ checks: { dep: httpCheck(`${base}/hang`, { timeout: 300, cacheMs: 0 }) } });
    try {
      let healthAnswered = false;
      const pending = timed(() => httpRequest(`${served.url}/health`)).finally(() => (healthAnswered = true));
      expect((await httpRequest(`${served.url}/livez`)).status).toBe(200);
      expect(healthAnswered).toBe(false); // /livez did not wait for the hung check
      const { ms, value } = await pending;
      const dep = (value.json as HealthReport).checks.dep!;
      expect(dep.error).toMatch(/timed out after 300 ms/);
      expect(dep.durationMs).toBeGreaterThanOrEqual(295);
      expect(dep.durationMs).toBeLessThan(300 + 400); // at the timeout (a loaded machine fires timers late), not later
      expect(ms).toBeLessThan(300 + 1000);
    } finally {
      await served.close();
    }
    const refusedPort = await closedPort();
    const refused = await timed(() => runOnce(httpCheck(`http://127.0.0.1:${refusedPort}/`, { timeout: 2000 })));
    expect(refused.value.error).toMatch(/ECONNREFUSED/);
    expect(refused.ms).toBeLessThan(1000);
  });

  it('rejects a URL that is not http(s) and wrong options', () => {
    expect(() => httpCheck('ftp://x/')).toThrow(/url must be http: or https:/);
    expect(() => httpCheck('/health')).toThrow(/absolute http\(s\) URL/);
    expect(() => httpCheck(`${base}/ok`, { expect: 42, followRedirects: -1 } as never)).toThrow(
      expect.objectContaining({
        code: HealthErrorCodes.invalidOptions,
        problems: [expect.stringMatching(/^expect/), expect.stringMatching(/^followRedirects/)],
      }),
    );
  });
});

describe('tcpCheck', () => {
  it('an open port passes with the connect latency; a closed one fails fast; a hung accept still passes (it only connects)', async () => {
    const hung = await hungServer();
    try {
      expect(await runOnce(tcpCheck('127.0.0.1', hung.port))).toMatchObject({ status: 'pass', details: { latencyMs: expect.any(Number) } });
      const closed = await runOnce(tcpCheck('127.0.0.1', await closedPort()));
      expect(closed.status).toBe('fail');
      expect(closed.error).toMatch(/ECONNREFUSED/);
    } finally {
      await hung.close();
    }
  });

  it('the abort at the timeout destroys the pending connection', async () => {
    const check = tcpCheck('127.0.0.1', 1);
    const controller = new AbortController();
    controller.abort();
    await expect(Promise.resolve(check.check(controller.signal))).rejects.toThrow(/did not accept in time|ECONNREFUSED/);
    expect(() => tcpCheck('', 70000)).toThrow(
      expect.objectContaining({ problems: [expect.stringMatching(/^port/), expect.stringMatching(/^host/)] }),
    );
  });
});

describe('diskCheck', () => {
  it('thresholds just below and just above the current free space pass and fail', async () => {
    const stats = await statfs(process.cwd());
    const free = stats.bavail * stats.bsize;
    const ratio = free / (stats.blocks * stats.bsize);
    const margin = 512 * 1024 * 1024; // other processes write meanwhile
    const pass = await runOnce(diskCheck({ minFreeBytes: Math.max(1, free - margin) }));
    expect(pass).toMatchObject({ status: 'pass', details: { freeBytes: expect.any(Number), totalBytes: stats.blocks * stats.bsize } });
    expect(Math.abs((pass.details!.freeBytes as number) - free)).toBeLessThan(margin);
    const fail = await runOnce(diskCheck({ path: '/', minFreeBytes: free + margin * 4 }));
    expect(fail.status).toBe('fail');
    expect(fail.error).toMatch(/bytes free, below minFreeBytes/);
    expect((await runOnce(diskCheck({ minFreeRatio: Math.max(0.0001, ratio - 0.05) }))).status).toBe('pass');
    expect((await runOnce(diskCheck({ minFreeRatio: Math.min(1, ratio + 0.05) }))).status).toBe('fail');
  });

  it('a missing path fails with the file system error; no limit is a clear option error', async () => {
    expect((await runOnce(diskCheck({ path: '/no/such/dir', minFreeRatio: 0.1 }))).error).toMatch(/ENOENT/);
    expect(() => diskCheck({})).toThrow(/give minFreeBytes or minFreeRatio/);
    expect(() => diskCheck({ minFreeRatio: 2 })).toThrow(/minFreeRatio must be a number > 0 and <= 1/);
  });
});

describe('memoryCheck', () => {
  it('limits above and below the current rss and heap pass and fail, with the numbers in the report', async () => {
    const { rss, heapUsed } = process.memoryUsage();
    const pass = await runOnce(memoryCheck({ maxRssBytes: rss * 2, maxHeapUsedBytes: heapUsed * 4 }));
    expect(pass).toMatchObject({ status: 'pass', details: { rssBytes: expect.any(Number), heapUsedBytes: expect.any(Number) } });
    const rssFail = await runOnce(memoryCheck({ maxRssBytes: Math.floor(rss / 2) }));
    expect(rssFail.error).toMatch(/^rss \d+ bytes is above maxRssBytes/);
    const heapFail = await runOnce(memoryCheck({ maxHeapUsedBytes: Math.floor(heapUsed / 2) }));
    expect(heapFail.error).toMatch(/^heap used \d+ bytes is above maxHeapUsedBytes/);
    expect(() => memoryCheck({})).toThrow(/give maxRssBytes or maxHeapUsedBytes/);
  });
});

describe('pingCheck', () => {
  it('passes with latency, fails with the name, hands the abort signal to the function', async () => {
    expect(await runOnce(pingCheck('queue', async () => 'whatever'))).toMatchObject({
      status: 'pass',
      details: { latencyMs: expect.any(Number) },
    });
    const fail = await runOnce(pingCheck('prisma', () => Promise.reject(new Error("Can't reach database server"))));
    expect(fail.error).toBe("prisma ping failed: Can't reach database server");
    let aborted = false;
    const hang = pingCheck(
      'slow',
      (signal) => new Promise((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve(true)))),
      {
        timeout: 50,
      },
    );
    expect((await runOnce(hang)).error).toMatch(/timed out after 50 ms/);
    expect(aborted).toBe(true);
    expect(() => pingCheck('', () => 1)).toThrow(/name must be a non-empty string/);
  });
});

describe('critical, informational, readiness and liveness', () => {
  it('defaults: critical, in readiness, not in liveness, results memoised for cacheMs', () => {
    const def = pingCheck('x', () => true);
    expect(def).toMatchObject({ critical: true, readiness: true, liveness: false, cacheMs: checkDefaults.cacheMs });
    expect(pingCheck('x', () => true, { critical: false })).toMatchObject({ critical: false, readiness: false });
    expect(() => pingCheck('x', () => true, { critical: false, liveness: true })).toThrow(/an informational check never fails a probe/);
  });

  it('a failing readiness check fails /readyz but not /livez; a failing liveness check fails /livez', async () => {
    const served = await serveHealth({
      checks: {
        dependency: pingCheck('db', () => false, { cacheMs: 0 }),
        self: pingCheck('self', () => false, { liveness: true, readiness: false, cacheMs: 0 }),
        info: pingCheck('cache', () => false, { critical: false }),
      },
    });
    try {
      const report = await httpRequest(`${served.url}/health`);
      expect(report.status).toBe(503);
      expect(Object.keys((report.json as HealthReport).checks).sort()).toEqual(['dependency', 'info', 'self']);
      expect((await httpRequest(`${served.url}/readyz`)).json).toEqual({ status: 'unhealthy' });
      expect((await httpRequest(`${served.url}/livez`)).status).toBe(503);
    } finally {
      await served.close();
    }
    const onlyDependency = await serveHealth({ checks: { dependency: pingCheck('db', () => false) } });
    try {
      expect((await httpRequest(`${onlyDependency.url}/livez`)).status).toBe(200);
      expect((await httpRequest(`${onlyDependency.url}/readyz`)).status).toBe(503);
    } finally {
      await onlyDependency.close();
    }
  });

  it('plain checks keep their old behaviour: /readyz runs them only with readyChecks', async () => {
    const plain = await serveHealth({ checks: { db: () => false } });
    const withReadyChecks = await serveHealth({ checks: { db: () => false }, readyChecks: true });
    try {
      expect((await httpRequest(`${plain.url}/readyz`)).status).toBe(200);
      expect((await httpRequest(`${withReadyChecks.url}/readyz`)).status).toBe(503);
    } finally {
      await plain.close();
      await withReadyChecks.close();
    }
  });

  it('memoised results keep /health synchronous between runs: one run per cacheMs however many probes', async () => {
    let runs = 0;
    const served = await serveHealth({ checks: { db: pingCheck('db', () => ++runs > 0, { cacheMs: 60_000 }) } });
    try {
      await Promise.all(Array.from({ length: 50 }, () => httpRequest(`${served.url}/health`)));
      for (let i = 0; i < 20; i++) await httpRequest(`${served.url}/health`);
      expect(runs).toBe(1);
    } finally {
      await served.close();
    }
  });

  it('addCheck takes a built-in definition, and its removal stops it', async () => {
    const health = createHealth({ announceToSupervisor: false });
    // Made informational on the way in: its readiness default followed the definition's own critical flag.
    expect(() =>
      health.addCheck(
        'informational',
        pingCheck('x', () => true),
        { critical: false },
      ),
    ).not.toThrow();
    let stopped = 0;
    const remove = health.addCheck('x', { ...pingCheck('x', () => true), stop: () => void stopped++ });
    remove();
    expect(stopped).toBe(1);
  });
});

describe('the shared event-loop sampler', () => {
  const key = Symbol.for('@pm/health.loadSampler');
  const shared = () => (globalThis as Record<symbol, { holds: Set<unknown>; intervalMs: number } | undefined>)[key];

  it('one histogram for every eventLoopCheck and underPressure, at the shortest window; stopped when health shuts down', async () => {
    const { underPressure, eventLoopCheck } = await import('../src/index.js');
    expect(shared()).toBeUndefined();
    const health = createHealth({
      announceToSupervisor: false,
      checks: { a: eventLoopCheck({ maxDelayMs: 1000 }), b: eventLoopCheck({ maxUtilization: 0.99, sampleIntervalMs: 200 }) },
      pressure: underPressure({ maxEventLoopDelayMs: 1000, sampleIntervalMs: 50 }),
    });
    expect(shared()!.holds.size).toBe(3);
    expect(shared()!.intervalMs).toBe(50);
    health.setReady();
    expect((await health.report()).checks.a!.details).toMatchObject({ delayMs: expect.any(Number), utilization: expect.any(Number) });
    health.setShuttingDown();
    expect(shared()).toBeUndefined(); // timer cleared, histogram disabled
  });
});
