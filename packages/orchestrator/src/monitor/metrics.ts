import { constants } from 'node:os';
import type { ServerResponse } from 'node:http';
import type { AppStatus } from '../supervisor/events.js';
import type { Monitor } from './monitor.js';

/** Every status an app can be in: `pm_app_status` has one series per status, 1 for the current one. */
const STATUSES: AppStatus[] = ['starting', 'running', 'stopping', 'stopped', 'backoff', 'errored'];
/** Every lifecycle state @pm/health announces: `pm_app_health_state` has one series per state. */
const HEALTH_STATES = ['initializing', 'healthy', 'shutting_down'] as const;

/** The exit code a shell would show: the code, or 128 + the signal's number. */
function exitCodeOf(exit: { code: number | null; signal: string | null }): number | null {
  if (exit.code !== null) return exit.code;
  const number = exit.signal ? constants.signals[exit.signal as NodeJS.Signals] : undefined;
  return number !== undefined ? 128 + number : null;
}

/** Serves `GET /metrics` from the monitor's data. */
export interface MetricsEndpoint {
  /** Writes the metrics in the Prometheus text format (0.0.4). */
  serve(res: ServerResponse): Promise<void>;
}

/**
 * The `/metrics` endpoint. prom-client is imported on the first request only, so a daemon nobody
 * scrapes never loads it (nor starts its event-loop-lag monitor).
 */
export function createMetricsEndpoint(monitor: Monitor): MetricsEndpoint {
  let registry: Promise<import('prom-client').Registry> | null = null;
  return {
    async serve(res) {
      registry ??= import('prom-client').then((client) => buildRegistry(client, monitor));
      const reg = await registry;
      await monitor.refresh(); // restarts and status as of now, not of the last 1 s tick
      const body = await reg.metrics();
      res.writeHead(200, { 'content-type': reg.contentType, 'cache-control': 'no-store' });
      res.end(body);
    },
  };
}

type PromClient = typeof import('prom-client');

/** One registry with the daemon's own process metrics and per-app metrics read from the monitor at scrape time. */
function buildRegistry(client: PromClient, monitor: Monitor): import('prom-client').Registry {
  const registers = [new client.Registry()];
  const register = registers[0]!;
  client.collectDefaultMetrics({ register, prefix: 'pm_daemon_' });
  const statusOf = () => new Map(monitor.lastStatus().map((s) => [s.name, s]));
  const apps = () => monitor.apps();
  new client.Gauge({
    name: 'pm_app_up',
    help: 'Whether the app is running (1) or not (0).',
    labelNames: ['app'],
    registers,
    collect() {
      this.reset();
      for (const app of apps()) this.set({ app: app.name }, app.status === 'running' ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'pm_app_status',
    help: 'The app status: 1 for the status it is in, 0 for the others.',
    labelNames: ['app', 'status'],
    registers,
    collect() {
      this.reset();
      for (const app of apps()) for (const status of STATUSES) this.set({ app: app.name, status }, app.status === status ? 1 : 0);
    },
  });
  new client.Counter({
    name: 'pm_app_restarts_total',
    help: 'Restarts of the app since it was first started (by policy and by request).',
    labelNames: ['app'],
    registers,
    collect() {
      this.reset();
      const status = statusOf();
      for (const app of apps()) this.inc({ app: app.name }, status.get(app.name)?.restarts ?? 0);
    },
  });
  new client.Counter({
    name: 'pm_app_cpu_seconds_total',
    help: 'CPU time (user + system) of the app main process, summed over its runs since the daemon started.',
    labelNames: ['app'],
    registers,
    collect() {
      this.reset();
      for (const app of apps()) this.inc({ app: app.name }, app.cpuSeconds);
    },
  });
  new client.Gauge({
    name: 'pm_app_resident_memory_bytes',
    help: 'Resident memory of the app main process in bytes (absent while it is not running).',
    labelNames: ['app'],
    registers,
    collect() {
      this.reset();
      for (const s of monitor.lastStatus()) if (s.memory !== null) this.set({ app: s.name }, s.memory);
    },
  });
  new client.Gauge({
    name: 'pm_app_uptime_seconds',
    help: 'Seconds since the current run of the app was spawned (0 when not running).',
    labelNames: ['app'],
    registers,
    collect() {
      this.reset();
      for (const s of monitor.lastStatus()) this.set({ app: s.name }, s.uptime);
    },
  });
  new client.Gauge({
    name: 'pm_app_last_exit_code',
    help: 'Exit code of the last run that ended (128 + signal number when a signal ended it); absent before any exit.',
    labelNames: ['app'],
    registers,
    collect() {
      this.reset();
      for (const app of apps()) {
        const code = app.lastExit ? exitCodeOf(app.lastExit) : null;
        if (code !== null) this.set({ app: app.name }, code);
      }
    },
  });
  new client.Gauge({
    name: 'pm_app_health_state',
    help: 'The lifecycle state the app @pm/health last announced in its current run: 1 for it, 0 for the others; absent for an app that announces nothing.',
    labelNames: ['app', 'state'],
    registers,
    collect() {
      this.reset();
      for (const app of apps()) {
        if (app.healthState === null) continue;
        for (const state of HEALTH_STATES) this.set({ app: app.name, state }, app.healthState === state ? 1 : 0);
      }
    },
  });
  return register;
}
