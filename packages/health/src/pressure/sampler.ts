import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

/** The process's load over the last sampling window. */
export interface LoadSample {
  /** Worst event-loop delay in the window, ms (0 on an idle loop). */
  eventLoopDelayMs: number;
  /** Share of the window the event loop was busy, 0 to 1. */
  eventLoopUtilization: number;
  /** `process.memoryUsage().heapUsed` at the end of the window. */
  heapUsedBytes: number;
  /** `process.memoryUsage().rss` at the end of the window. */
  rssBytes: number;
}

/** A consumer's hold on the shared sampler: read the latest sample, stop when done. */
export interface LoadSampler {
  /** The last window's sample (taken at once when sampling starts, so never empty). */
  latest(): LoadSample;
  /** The window this holder asked for, ms. */
  readonly intervalMs: number;
  /** Ends this hold; the shared timer and histogram stop when the last hold ends. Idempotent. */
  stop(): void;
}

/** Histogram resolution: the timer that measures the loop ticks this often (Node's default). */
const RESOLUTION_MS = 10;

interface Shared {
  histogram: IntervalHistogram;
  timer: NodeJS.Timeout | undefined;
  intervalMs: number;
  lastTick: number;
  lastElu: EventLoopUtilization;
  latest: LoadSample;
  holds: Set<{ intervalMs: number; onSample?: (sample: LoadSample) => void }>;
}

// One histogram and one timer per process, whoever asks (eventLoopCheck, underPressure, several
// registries): kept on globalThis under a registered symbol so the ESM and CommonJS builds share it too.
const KEY = Symbol.for('@pm/health.loadSampler');
const store = globalThis as { [KEY]?: Shared };

function measure(shared: Shared | undefined, now: number): LoadSample {
  const memory = process.memoryUsage();
  if (!shared) return { eventLoopDelayMs: 0, eventLoopUtilization: 0, heapUsedBytes: memory.heapUsed, rssBytes: memory.rss };
  const { histogram } = shared;
  // The histogram loses the first tick after reset(), so a block that starts right after a sample
  // would be missed; this timer's own lateness catches it (it fires first thing after a block).
  const drift = now - shared.lastTick - shared.intervalMs;
  const worst = histogram.count > 0 ? histogram.max / 1e6 - RESOLUTION_MS : 0;
  histogram.reset();
  const elu = performance.eventLoopUtilization(shared.lastElu);
  shared.lastElu = performance.eventLoopUtilization();
  return {
    eventLoopDelayMs: round(Math.max(0, worst, drift)),
    eventLoopUtilization: round(elu.utilization, 1000),
    heapUsedBytes: memory.heapUsed,
    rssBytes: memory.rss,
  };
}

const round = (value: number, scale = 100): number => Math.round(value * scale) / scale;

function schedule(shared: Shared): void {
  clearInterval(shared.timer);
  shared.intervalMs = Math.min(...[...shared.holds].map((h) => h.intervalMs));
  shared.lastTick = performance.now();
  shared.timer = setInterval(() => {
    const now = performance.now();
    shared.latest = measure(shared, now);
    shared.lastTick = now;
    for (const hold of shared.holds) hold.onSample?.(shared.latest);
  }, shared.intervalMs);
  // Sampling must never keep a finished process alive.
  shared.timer.unref();
}

/**
 * Starts (or joins) the shared load sampler. The window is the shortest `intervalMs` any holder asked
 * for; `onSample` runs after each window.
 */
export function sampleLoad(intervalMs: number, onSample?: (sample: LoadSample) => void): LoadSampler {
  let shared = store[KEY];
  if (!shared) {
    const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    histogram.enable();
    shared = {
      histogram,
      timer: undefined,
      intervalMs,
      lastTick: performance.now(),
      lastElu: performance.eventLoopUtilization(),
      latest: measure(undefined, 0),
      holds: new Set(),
    };
    store[KEY] = shared;
  }
  const hold = { intervalMs, onSample };
  shared.holds.add(hold);
  if (intervalMs < shared.intervalMs || shared.holds.size === 1) schedule(shared);
  const own = shared;
  let stopped = false;
  return {
    intervalMs,
    latest: () => own.latest,
    stop() {
      if (stopped) return;
      stopped = true;
      own.holds.delete(hold);
      if (own.holds.size > 0) {
        if (intervalMs === own.intervalMs) schedule(own);
        return;
      }
      clearInterval(own.timer);
      own.histogram.disable();
      if (store[KEY] === own) delete store[KEY];
    },
  };
}
