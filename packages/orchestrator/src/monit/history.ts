import type { AppStatus, AppStatusInfo } from '../supervisor/events.js';

/** The cpu and memory samples of one app, oldest first; null where the app had no process. */
export interface AppSamples {
  /** CPU % of each poll. */
  cpu: (number | null)[];
  /** Resident memory in bytes of each poll. */
  memory: (number | null)[];
}

/**
 * What `pm monit` remembers between two status polls: the last samples of each app (for its sparklines)
 * and since when each app has been in its status. Kept in the monit process, not the daemon: the view
 * starts empty and fills as it polls, which costs the idle daemon nothing.
 */
export class StatusHistory {
  private readonly samples = new Map<string, AppSamples>();
  private readonly seen = new Map<string, { status: AppStatus; pid: number | null; since: number | null }>();

  /** @param keep samples kept per app (the widest sparkline drawn). @default 60 */
  constructor(private readonly keep = 60) {}

  /** Adds one poll's status of every app, taken at `now` (epoch ms). */
  record(apps: AppStatusInfo[], now = Date.now()): void {
    for (const app of apps) {
      const samples = this.samples.get(app.name) ?? { cpu: [], memory: [] };
      samples.cpu.push(app.pid === null ? null : app.cpu);
      samples.memory.push(app.pid === null ? null : app.memory);
      if (samples.cpu.length > this.keep) samples.cpu.shift();
      if (samples.memory.length > this.keep) samples.memory.shift();
      this.samples.set(app.name, samples);
      const before = this.seen.get(app.name);
      let since: number | null;
      if (app.status === 'running' && app.pid !== null) since = now - app.uptime * 1000;
      else if (before && before.status === app.status) since = before.since;
      // Seen changing: it changed about now. Seen first in this state: the daemon does not say since when.
      else since = before ? now : null;
      this.seen.set(app.name, { status: app.status, pid: app.pid, since });
    }
  }

  /** The samples of `name`, oldest first (empty before the first poll). */
  samplesOf(name: string): AppSamples {
    return this.samples.get(name) ?? { cpu: [], memory: [] };
  }

  /** Epoch ms since which `name` has been in its current status, or null when unknown. */
  sinceOf(name: string): number | null {
    return this.seen.get(name)?.since ?? null;
  }
}
