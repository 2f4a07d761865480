import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { setTimeout as delay } from 'node:timers/promises';
import { createHealth, createShutdown } from '@pm/health';
import { registerHealthMetrics } from '@pm/health/metrics';
import { waitFor } from '@pm/test-utils';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';

/** The registry's output as parsed by a Prometheus text-format parser: family name → label string → value. */
async function scrape(registry: Registry): Promise<Map<string, Map<string, number>>> {
  const families = parsePrometheusTextFormat(await registry.metrics());
  return new Map(families.map((f) => [f.name, new Map(f.metrics.map((m) => [JSON.stringify(m.labels ?? {}), Number(m.value)]))] as const));
}

describe('@pm/health/metrics with a real prom-client registry', () => {
  it('reports the state, each check with its duration, and the requests in flight while draining', async () => {
    const health = createHealth({
      announceToSupervisor: false,
      checks: {
        db: async () => {
          await delay(30);
        },
        cache: { check: () => false, critical: false },
      },
    });
    const server = createServer((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('done'), 400);
      else res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const shutdown = createShutdown({ signals: [], servers: [server], health, exit: () => {}, drainDelay: 0 });
    onTestFinished(() => shutdown.uninstall());
    const registry = new Registry();
    const unregister = registerHealthMetrics({ registry, health, shutdown });

    let metrics = await scrape(registry);
    expect(metrics.get('pm_health_state')).toEqual(
      new Map([
        ['{"state":"initializing"}', 1],
        ['{"state":"healthy"}', 0],
        ['{"state":"shutting_down"}', 0],
      ]),
    );
    expect(metrics.get('pm_health_check_up')).toEqual(new Map()); // checks do not run before ready

    health.setReady();
    metrics = await scrape(registry);
    expect(metrics.get('pm_health_state')!.get('{"state":"healthy"}')).toBe(1);
    expect(metrics.get('pm_health_check_up')).toEqual(
      new Map([
        ['{"check":"db"}', 1],
        ['{"check":"cache"}', 0],
      ]),
    );
    const dbSeconds = metrics.get('pm_health_check_duration_seconds')!.get('{"check":"db"}')!;
    expect(dbSeconds).toBeGreaterThanOrEqual(0.025);
    expect(dbSeconds).toBeLessThan(2);
    expect(metrics.get('pm_health_in_flight_requests')!.get('{}')).toBe(0);

    // A slow request in flight, then shutdown: the drain waits for it and the metrics show it.
    const { port } = server.address() as { port: number };
    const slow = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
    await waitFor(async () => (await scrape(registry)).get('pm_health_in_flight_requests')!.get('{}') === 1, { timeout: 2000 });
    const done = shutdown.shutdown('test');
    metrics = await scrape(registry);
    expect(metrics.get('pm_health_state')!.get('{"state":"shutting_down"}')).toBe(1);
    expect(metrics.get('pm_health_in_flight_requests')!.get('{}')).toBe(1);
    expect(await slow).toBe('done');
    await done;
    expect((await scrape(registry)).get('pm_health_in_flight_requests')!.get('{}')).toBe(0);

    unregister();
    expect(await registry.metrics()).not.toContain('pm_health_');
  });

  it('takes a prefix, and loading @pm/health alone never loads prom-client', () => {
    const registry = new Registry();
    registerHealthMetrics({ registry, health: createHealth({ announceToSupervisor: false }), prefix: 'shop_' });
    expect(registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name)).toEqual([
      'shop_state',
      'shop_check_up',
      'shop_check_duration_seconds',
    ]);

    const entry = createRequire(import.meta.url).resolve('@pm/health');
    const script = `require(${JSON.stringify(entry)}); console.log(Object.keys(require.cache).some((f) => f.includes('prom-client')))`;
    expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim()).toBe('false');
  });
});
