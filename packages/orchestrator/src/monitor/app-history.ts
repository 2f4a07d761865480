import type { AppStatus, HealthAnnounceState, OrchestratorEvent } from '../supervisor/events.js';
import { RingBuffer } from '../daemon/ring-buffer.js';
import { UsageSeries, type UsagePoint } from './series.js';

/** Restarts kept per app (newest), with their reasons. */
export const RESTARTS_KEPT = 50;
/** Health announcements kept per app (newest). */
export const HEALTH_REPORTS_KEPT = 20;

/** Why an app was restarted. */
export type RestartKind = 'crash' | 'health' | 'memory' | 'not-ready' | 'manual' | 'other';

/** One restart of an app, as its history keeps it. */
export interface RestartEntry {
  /** Epoch ms. */
  time: number;
  kind: RestartKind;
  /** The orchestrator's own words (e.g. `exited with code 1`, `health probe failed 3 times in a row`). */
  reason: string;
  /** For a crash: the exit code, or null when a signal ended it. */
  code?: number | null;
  /** For a crash: the signal that ended it, or null. */
  signal?: string | null;
}

/** One lifecycle state the app's `@pm/health` announced over IPC (the announcement carries no checks). */
export interface HealthEntry {
  time: number;
  pid: number;
  state: HealthAnnounceState;
}

/** What `GET /api/apps/<name>/history` answers. */
export interface AppHistoryView {
  name: string;
  status: AppStatus;
  /** Epoch ms the app entered `status`. */
  since: number | null;
  /** 1 s points over the last 10 min. */
  seconds: UsagePoint[];
  /** 1 min points over the last 24 h (mean cpu and memory, peak memory). */
  minutes: UsagePoint[];
  restarts: RestartEntry[];
  health: HealthEntry[];
}

/** The kind of a restart, from the reason the orchestrator gave it. */
function kindOf(reason: string): RestartKind {
  if (reason.startsWith('exited with')) return 'crash';
  if (reason.startsWith('health probe failed')) return 'health';
  if (reason.includes('maxMemory')) return 'memory';
  if (reason.startsWith('not ready within')) return 'not-ready';
  return 'other';
}

/** Everything the daemon remembers about one app, fed by orchestrator events and 1 s usage samples. */
export class AppHistory {
  readonly usage = new UsageSeries();
  readonly restarts = new RingBuffer<RestartEntry>(RESTARTS_KEPT);
  readonly health = new RingBuffer<HealthEntry>(HEALTH_REPORTS_KEPT);
  status: AppStatus = 'stopped';
  since: number | null = null;
  /** The last exit of a run, for the metrics. */
  lastExit: { code: number | null; signal: string | null } | null = null;
  /** The last lifecycle state announced by @pm/health in the current run, or null. */
  healthState: HealthAnnounceState | null = null;
  /** CPU seconds of ended runs, plus {@link runCpuMs} of the current one: a counter across restarts. */
  private endedCpuMs = 0;
  private runPid: number | null = null;
  private runCpuMs = 0;
  private lastSecond = 0;

  constructor(readonly name: string) {}

  /** Applies one orchestrator event for this app. */
  onEvent(event: OrchestratorEvent): void {
    switch (event.type) {
      case 'status':
        if (event.status !== this.status || this.since === null) this.since = event.time;
        this.status = event.status;
        break;
      case 'spawn':
        this.healthState = null;
        break;
      case 'exit':
        this.lastExit = { code: event.code, signal: event.signal };
        this.healthState = null;
        break;
      case 'restart': {
        const kind = kindOf(event.reason);
        const entry: RestartEntry = { time: event.time, kind, reason: event.reason };
        if (kind === 'crash' && this.lastExit) Object.assign(entry, this.lastExit);
        this.restarts.push(entry);
        break;
      }
      case 'restart-requested':
        this.restarts.push({ time: event.time, kind: 'manual', reason: 'restart requested' });
        break;
      case 'health-state':
        this.healthState = event.state;
        this.health.push({ time: event.time, pid: event.pid, state: event.state });
        break;
      default:
        break;
    }
  }

  /** Records a usage sample of the current run (a sample already recorded is ignored). */
  onSample(pid: number, sample: { cpu: number; memory: number; ctime: number; timestamp: number }): void {
    // One point per second: a second sample within the same second (a late tick) is dropped.
    const second = Math.floor(sample.timestamp / 1000);
    if (second <= this.lastSecond) return;
    this.lastSecond = second;
    if (pid !== this.runPid) {
      this.endedCpuMs += this.runCpuMs;
      this.runPid = pid;
    }
    this.runCpuMs = sample.ctime;
    this.usage.add(sample.timestamp, sample.cpu, sample.memory);
  }

  /** CPU seconds used by every run sampled so far (a counter: it never goes down). */
  get cpuSeconds(): number {
    return (this.endedCpuMs + this.runCpuMs) / 1000;
  }

  /** The JSON view, with usage points at or after epoch ms `since`. */
  view(since = 0): AppHistoryView {
    return {
      name: this.name,
      status: this.status,
      since: this.since,
      seconds: this.usage.seconds(since),
      minutes: this.usage.minutes(since),
      restarts: this.restarts.toArray(),
      health: this.health.toArray(),
    };
  }
}
