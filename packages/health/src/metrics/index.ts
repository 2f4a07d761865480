import { Gauge, type Registry } from 'prom-client';
import type { Health } from '../health/create-health.js';
import type { LifecycleState } from '../health/report.js';
import type { Shutdown } from '../shutdown/create-shutdown.js';

/** Options of {@link registerHealthMetrics}. */
export interface HealthMetricsOptions {
  /** The prom-client registry to register on (the app's own, or prom-client's default `register`). */
  registry: Registry;
  /** The health registry whose state and checks are reported. */
  health: Health;
  /** The shutdown manager whose in-flight requests are reported. @default none: no in-flight metric */
  shutdown?: Shutdown;
  /** Prefix of every metric name. @default 'pm_health_' */
  prefix?: string;
}

/** Defaults of {@link HealthMetricsOptions}. */
export const healthMetricsDefaults = { prefix: 'pm_health_' } as const;

const STATES: LifecycleState[] = ['initializing', 'healthy', 'shutting_down'];

/**
 * Registers the app's health and shutdown metrics on `registry`, read at scrape time:
 * `<prefix>state{state}` (1 for the lifecycle state the app is in), `<prefix>check_up{check}` and
 * `<prefix>check_duration_seconds{check}` (from a report, so checks run at most as often as their
 * `cacheMs` and concurrent scrapes share one run; only while `healthy`), and with `shutdown`,
 * `<prefix>in_flight_requests` (what a drain waits for). Returns a function that unregisters them.
 *
 * This subpath imports prom-client (an optional peer dependency); `@pm/health` itself never does.
 */
export function registerHealthMetrics(options: HealthMetricsOptions): () => void {
  const { registry, health, shutdown } = options;
  const prefix = options.prefix ?? healthMetricsDefaults.prefix;
  const registers = [registry];
  const gauges: Gauge[] = [];
  const add = (gauge: Gauge): void => void gauges.push(gauge);
  add(
    new Gauge({
      name: `${prefix}state`,
      help: 'The lifecycle state of the app: 1 for the state it is in, 0 for the others.',
      labelNames: ['state'],
      registers,
      collect() {
        for (const state of STATES) this.set({ state }, health.state === state ? 1 : 0);
      },
    }),
  );
  // One report per scrape feeds both check metrics: prom-client collects them in registration order,
  // so check_up starts it and check_duration_seconds takes it.
  let pending: ReturnType<Health['report']> | null = null;
  add(
    new Gauge({
      name: `${prefix}check_up`,
      help: 'Whether the check passed (1) or failed (0) in the last report; absent until the app is ready.',
      labelNames: ['check'],
      registers,
      async collect() {
        this.reset();
        pending = health.report();
        for (const [check, result] of Object.entries((await pending).checks)) this.set({ check }, result.status === 'pass' ? 1 : 0);
      },
    }),
  );
  add(
    new Gauge({
      name: `${prefix}check_duration_seconds`,
      help: 'How long the check took in the last report, in seconds (up to its timeout).',
      labelNames: ['check'],
      registers,
      async collect() {
        this.reset();
        const report = pending ?? health.report();
        pending = null;
        for (const [check, result] of Object.entries((await report).checks)) this.set({ check }, result.durationMs / 1000);
      },
    }),
  );
  if (shutdown) {
    add(
      new Gauge({
        name: `${prefix}in_flight_requests`,
        help: 'Requests being served now on the servers shutdown drains (what a drain waits for).',
        registers,
        collect() {
          this.set(shutdown.inFlight);
        },
      }),
    );
  }
  return () => {
    for (const gauge of gauges) registry.removeSingleMetric((gauge as unknown as { name: string }).name);
  };
}
