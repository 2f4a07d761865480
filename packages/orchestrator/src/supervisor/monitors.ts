import pidusage from 'pidusage';
import type { ResolvedApp } from '../config/resolve.js';
import { probeHttp, probeTcp, withPort } from './probe.js';

/** Ms between memory samples of an app with `maxMemory`. */
const MEMORY_SAMPLE_INTERVAL = 1000;

/** What the monitors of a ready run report. */
export interface MonitorReports {
  /** `failures` liveness probes failed in a row (reported before `fail`). */
  probesFailed(failures: number): void;
  /** The run must be ended and the restart policy applied, for `reason`. */
  fail(reason: string): void;
}

/**
 * Starts the liveness probe (`health`) and the memory watch (`maxMemory`) of a ready run with
 * `pid` on `port`. Returns a stopper; once it is called nothing is reported any more, even from a
 * probe already under way.
 */
export function startMonitors(app: ResolvedApp, pid: number, port: number | null, reports: MonitorReports): () => void {
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const health = app.health;
  if (health) {
    let failures = 0;
    let busy = false;
    const probe = (): Promise<boolean> =>
      health.http ? probeHttp(withPort(health.http, port), health.timeout) : probeTcp(health.tcp!, port, health.timeout);
    timers.push(
      setInterval(() => {
        if (busy || stopped) return;
        busy = true;
        void probe().then((ok) => {
          busy = false;
          if (stopped) return;
          failures = ok ? 0 : failures + 1;
          if (failures < health.failures) return;
          reports.probesFailed(failures);
          reports.fail(`health probe failed ${failures} times in a row`);
        });
      }, health.interval),
    );
  }
  const maxMemory = app.maxMemory;
  if (maxMemory !== null) {
    timers.push(
      setInterval(() => {
        if (stopped) return;
        pidusage(pid)
          .then((usage) => {
            if (usage.memory > maxMemory && !stopped) reports.fail(`memory ${usage.memory} bytes is over maxMemory ${maxMemory}`);
          })
          .catch(() => undefined);
      }, MEMORY_SAMPLE_INTERVAL),
    );
  }
  for (const timer of timers) timer.unref();
  return () => {
    stopped = true;
    for (const timer of timers) clearInterval(timer);
  };
}
