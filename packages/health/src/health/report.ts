import type { CheckResult } from './check-runner.js';

/** Where the process is in its life: set by `setReady()` and by shutdown. */
export type LifecycleState = 'initializing' | 'healthy' | 'shutting_down';

/** The report's overall status: the lifecycle state, or `unhealthy` when a critical check fails while healthy. */
export type HealthStatus = 'healthy' | 'initializing' | 'unhealthy' | 'shutting_down';

/** One check in the report. */
export interface CheckReport {
  /** `pass` or `fail`. */
  status: 'pass' | 'fail';
  /** Whether a failure makes the report unhealthy. */
  critical: boolean;
  /** Duration of the run, in ms. */
  durationMs: number;
  /** The failure's message (never its stack unless `exposeDetails`). */
  error?: string;
  /** Stable error code; only with `exposeDetails`. */
  code?: string;
  /** Stack of what the check threw; only with `exposeDetails`. */
  stack?: string;
  /** Numbers a built-in check measured (e.g. `latencyMs`, pool `total`/`idle`/`waiting`, `freeBytes`); never secrets. */
  details?: Record<string, number | string | boolean | null>;
}

/** The `/health` JSON in the default format. User `info` fields are added at the top level. */
export interface HealthReport {
  status: HealthStatus;
  /** When the report was made, ISO-8601. */
  timestamp: string;
  pid: number;
  /** Process uptime in seconds. */
  uptime: number;
  /** Bytes, from `process.memoryUsage()`. */
  memoryUsage: { heapUsed: number; heapTotal: number; external: number; rss: number };
  /** When the process started, ISO-8601. */
  startedAt: string;
  /** Each check by name; empty while initializing or shutting down (checks are not run then). */
  checks: Record<string, CheckReport>;
  [info: string]: unknown;
}

/** Built-in report fields; `info()` fields with these names are dropped so they can't mask the truth. */
export const reservedFields: ReadonlySet<string> = new Set(['status', 'timestamp', 'pid', 'uptime', 'memoryUsage', 'startedAt', 'checks']);

/** Overall status from the lifecycle state and the check results. */
export function overallStatus(state: LifecycleState, results: readonly CheckResult[]): HealthStatus {
  if (state !== 'healthy') return state;
  for (const r of results) if (r.status === 'fail' && r.critical) return 'unhealthy';
  return 'healthy';
}

/** A check result as shown to clients: message only, unless details are exposed. */
export function checkReport(result: CheckResult, exposeDetails: boolean): CheckReport {
  const out: CheckReport = { status: result.status, critical: result.critical, durationMs: result.durationMs };
  if (result.details) out.details = result.details;
  if (result.error) {
    out.error = result.error.message;
    if (exposeDetails) {
      out.code = result.error.code;
      const cause = result.error.cause;
      const stack = cause instanceof Error ? cause.stack : result.error.stack;
      if (stack !== undefined) out.stack = stack;
    }
  }
  return out;
}

/** Assembles the report; `info` fields come last and never replace built-in fields. */
export function buildReport(
  status: HealthStatus,
  startedAt: string,
  checks: Record<string, CheckReport>,
  info: Record<string, unknown> | undefined,
): HealthReport {
  const mem = process.memoryUsage();
  const report: HealthReport = {
    status,
    timestamp: new Date().toISOString(),
    pid: process.pid,
    uptime: Math.round(process.uptime() * 1000) / 1000,
    memoryUsage: { heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, rss: mem.rss },
    startedAt,
    checks,
  };
  if (info) for (const key of Object.keys(info)) if (!reservedFields.has(key)) report[key] = info[key];
  return report;
}

/** The IETF draft (draft-inadarei-api-health-check) shape: `pass` / `warn` / `fail`. */
export interface IetfHealthReport {
  status: 'pass' | 'warn' | 'fail';
  /** Why it isn't `pass` (lifecycle state or `unhealthy`). */
  output?: string;
  /** Each check as a one-element array, per the draft, plus `uptime`. */
  checks: Record<
    string,
    Array<{ status: 'pass' | 'warn' | 'fail'; time: string; observedValue: number; observedUnit: string; output?: string }>
  >;
  [extension: string]: unknown;
}

/** Converts a default report to the IETF shape: a failing non-critical check is `warn`. */
export function toIetf(report: HealthReport): IetfHealthReport {
  const time = report.timestamp;
  const checks: IetfHealthReport['checks'] = {
    uptime: [{ status: 'pass', time, observedValue: report.uptime, observedUnit: 's' }],
  };
  let warn = false;
  for (const [name, c] of Object.entries(report.checks)) {
    const status = c.status === 'pass' ? 'pass' : c.critical ? 'fail' : 'warn';
    if (status === 'warn') warn = true;
    const entry: IetfHealthReport['checks'][string][number] = { status, time, observedValue: c.durationMs, observedUnit: 'ms' };
    if (c.error !== undefined) entry.output = c.error;
    checks[name] = [entry];
  }
  const out: IetfHealthReport = { status: report.status === 'healthy' ? (warn ? 'warn' : 'pass') : 'fail', checks };
  if (report.status !== 'healthy') out.output = report.status;
  for (const key of Object.keys(report)) if (!reservedFields.has(key)) out[key] = report[key];
  return out;
}
