import type { Logger } from '../logger.js';
import type { AppStatusInfo } from '../supervisor/events.js';
import type { Orchestrator } from '../supervisor/orchestrator.js';
import { AppHistory, type AppHistoryView } from './app-history.js';
import type { UsageSampler } from './usage-sampler.js';

/** Ms between usage samples. */
export const SAMPLE_INTERVAL_MS = 1000;

/** Options of {@link createMonitor}. */
export interface MonitorOptions {
  /** The orchestrator whose apps are watched. */
  orchestrator: Orchestrator;
  /** The sampler the orchestrator's `status()` reads through (the same one, so nothing is sampled twice). */
  sampler: UsageSampler;
  /** Ms between samples. @default {@link SAMPLE_INTERVAL_MS} */
  interval?: number;
  /** Where a failed sample is logged. */
  logger: Logger;
}

/** The daemon's memory of its apps: usage history, restarts with reasons, health announcements. */
export interface Monitor {
  /** The app's history (usage points at or after epoch ms `since`), or null for an unknown app. */
  history(name: string, since?: number): AppHistoryView | null;
  /** Every app's history record, in config order (what the metrics read). */
  apps(): AppHistory[];
  /** The last status list a sample read (empty before the first). */
  lastStatus(): AppStatusInfo[];
  /** Reads the status now (reusing a usage sample under 900 ms old, so /proc is not read twice) and records it. */
  refresh(): Promise<AppStatusInfo[]>;
  /** Stops sampling and listening. */
  close(): void;
}

/**
 * Starts sampling every app's cpu and memory each `interval` through `orchestrator.status()` (one
 * batched read of /proc for the whole stack) and recording the orchestrator's events per app.
 */
export function createMonitor({ orchestrator, sampler, interval = SAMPLE_INTERVAL_MS, logger }: MonitorOptions): Monitor {
  const histories = new Map(orchestrator.config.apps.map((app) => [app.name, new AppHistory(app.name)]));
  let status: AppStatusInfo[] = [];
  const unsubscribe = orchestrator.on((event) => {
    if (event.type !== 'output') histories.get(event.app)?.onEvent(event);
  });
  const refresh = async (fresh = false): Promise<AppStatusInfo[]> => {
    // A tick reads /proc now, so its point is on time; status() then reuses that read.
    if (fresh) await sampler.sample(orchestrator.records().flatMap((r) => (r.pid !== null ? [r.pid] : [])));
    const read = await orchestrator.status();
    status = read;
    for (const app of read) {
      const sample = app.pid !== null ? sampler.last(app.pid) : undefined;
      if (sample && app.pid !== null) histories.get(app.name)?.onSample(app.pid, sample);
    }
    return read;
  };
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return; // a slow read (loaded machine) is not stacked up
    busy = true;
    try {
      await refresh(true);
    } catch (error) {
      logger.warn({ err: error }, 'monitor: could not sample the apps');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), interval);
  timer.unref();
  void tick();

  return {
    history: (name, since) => histories.get(name)?.view(since) ?? null,
    apps: () => [...histories.values()],
    lastStatus: () => status,
    refresh: () => refresh(),
    close() {
      clearInterval(timer);
      unsubscribe();
    },
  };
}
