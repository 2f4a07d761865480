import { isSameProcess, strayDescendants, type ProcessRef } from './proc.js';

/** Ms between scans for descendants that left a run's process group (also scanned when it becomes ready). */
const STRAY_SCAN_INTERVAL = 2000;

/**
 * The descendants of one run's process that left its process group (`setsid`): a signal to the
 * group misses them, and once the process exits nothing links them to it, so they are recorded
 * while it lives.
 */
export class StrayTracker {
  private strays = new Map<number, ProcessRef>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pid: number,
    /** Called with the new list whenever a scan changed it. */
    private readonly onChange: (strays: ProcessRef[]) => void,
    /** Called when /proc could not be read (EMFILE …): the last list stays, the next scan tries again. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Takes over strays recorded earlier (by a previous supervisor) that are still the same processes. */
  adopt(refs: readonly ProcessRef[]): void {
    for (const ref of refs) if (isSameProcess(ref)) this.strays.set(ref.pid, ref);
  }

  /** Adds the current strays (from a /proc read at most `maxAge` ms old) and forgets those gone. */
  scan(maxAge = 0): void {
    try {
      const before = [...this.strays.keys()].join();
      for (const [pid, ref] of this.strays) if (!isSameProcess(ref)) this.strays.delete(pid);
      for (const ref of strayDescendants(this.pid, maxAge)) this.strays.set(ref.pid, ref);
      if ([...this.strays.keys()].join() !== before) this.onChange(this.list());
    } catch (error) {
      this.onError(error);
    }
  }

  /** Scans every 2 s (sharing /proc reads with other apps' scans) until {@link stop}. */
  watch(): void {
    this.timer ??= setInterval(() => this.scan(STRAY_SCAN_INTERVAL / 2), STRAY_SCAN_INTERVAL);
    this.timer.unref();
  }

  /** Stops the periodic scan (the list stays, for ending what the run left). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The strays as last recorded. */
  list(): ProcessRef[] {
    return [...this.strays.values()];
  }
}
