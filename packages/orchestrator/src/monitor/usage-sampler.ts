import pidusage from 'pidusage';

/** Ms after which the sample of a pid nobody asks about is dropped. */
const FORGET_AFTER_MS = 60_000;

/** One process's resource use at one moment. */
export interface Usage {
  /** CPU % since the previous sample of this pid (100 = one core), or since the process started for the first. */
  cpu: number;
  /** Resident memory in bytes. */
  memory: number;
  /** CPU time (user + system) the process has used since it started, in ms. */
  ctime: number;
  /** Epoch ms of the sample. */
  timestamp: number;
}

/**
 * The one place the orchestrator reads process usage (pidusage reads /proc on Linux, `ps` elsewhere):
 * the daemon's 1 s history sampler and every `status()` share it, so a status asked for between two
 * ticks reuses the last sample instead of reading /proc again, and CPU % is computed from our own
 * ctime deltas, so a sample taken elsewhere (pidusage keeps a module-wide history) cannot skew it.
 */
export class UsageSampler {
  private latest = new Map<number, Usage>();

  /**
   * Usage of `pids`, reusing samples younger than `maxAge` ms and reading the others in one batch.
   * A pid that is gone is left out of the answer.
   */
  async sample(pids: number[], maxAge = 0): Promise<Map<number, Usage>> {
    const now = Date.now();
    const stale = pids.filter((pid) => {
      const last = this.latest.get(pid);
      return !last || now - last.timestamp > maxAge;
    });
    if (stale.length > 0) await this.read(stale);
    const out = new Map<number, Usage>();
    for (const pid of pids) {
      const usage = this.latest.get(pid);
      if (usage) out.set(pid, usage);
    }
    return out;
  }

  /** The last sample of `pid`, if any (never reads). */
  last(pid: number): Usage | undefined {
    return this.latest.get(pid);
  }

  /** Drops every sample and pidusage's own history. */
  clear(): void {
    this.latest.clear();
    pidusage.clear();
  }

  private async read(pids: number[]): Promise<void> {
    // Forget pids not read for a minute (ended runs), so the map stays as small as the stack.
    const old = Date.now() - FORGET_AFTER_MS;
    for (const [pid, usage] of this.latest) if (usage.timestamp < old) this.latest.delete(pid);
    let stats: Record<number, pidusage.Status | undefined> = {};
    try {
      stats = await pidusage(pids);
    } catch {
      // A process exited between listing and sampling: read one by one.
      for (const pid of pids) stats[pid] = await pidusage(pid).catch(() => undefined);
    }
    for (const pid of pids) {
      const s = stats[pid];
      if (!s) {
        this.latest.delete(pid);
        continue;
      }
      const previous = this.latest.get(pid);
      const elapsed = previous ? s.timestamp - previous.timestamp : 0;
      const cpu = previous && elapsed > 0 ? Math.max(0, ((s.ctime - previous.ctime) / elapsed) * 100) : s.cpu;
      this.latest.set(pid, { cpu, memory: s.memory, ctime: s.ctime, timestamp: s.timestamp });
    }
  }
}
