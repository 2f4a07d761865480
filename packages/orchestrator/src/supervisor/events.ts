import type { LifecycleState } from '@pm/health';

/** A lifecycle state an app's `@pm/health` announces over IPC (`{ type: 'pm:health', state }`): the protocol is @pm/health's. */
export type HealthAnnounceState = LifecycleState;

/** Lifecycle state of a supervised app. */
export type AppStatus = 'starting' | 'running' | 'stopping' | 'stopped' | 'backoff' | 'errored';

/** Everything the orchestrator reports, as one discriminated union on `type`. */
export type OrchestratorEvent =
  | { type: 'status'; app: string; status: AppStatus; pid: number | null; time: number }
  | { type: 'spawn'; app: string; pid: number; time: number }
  | { type: 'ready'; app: string; pid: number; time: number }
  | { type: 'exit'; app: string; pid: number; code: number | null; signal: string | null; uptime: number; time: number }
  | { type: 'start-failed'; app: string; reason: string; time: number }
  | { type: 'restart'; app: string; delay: number; restarts: number; reason: string; time: number }
  /** A user asked for a restart of a running app (`pm restart`, the dashboard, the API). */
  | { type: 'restart-requested'; app: string; time: number }
  | { type: 'errored'; app: string; reason: string; time: number }
  | { type: 'health-failed'; app: string; failures: number; time: number }
  /** The app's `@pm/health` reported a lifecycle state over IPC (`shutting_down`: it is draining). */
  | { type: 'health-state'; app: string; pid: number; state: HealthAnnounceState; time: number }
  | { type: 'output'; app: string; line: string; time: number }
  /**
   * The descendants of the app's live process that left its process group (`setsid`) changed, as
   * {@link AppRecord.strays} lists them: a state file saved on this event lets a later `pm stop` or
   * daemon find them after the supervisor was killed.
   */
  | { type: 'strays'; app: string; pid: number; strays: { pid: number; token: string | null }[]; time: number };

/** The status of one app as `status()` reports it (and `pm status --json` prints). */
export interface AppStatusInfo {
  name: string;
  status: AppStatus;
  pid: number | null;
  /** Restarts since the app was first started. */
  restarts: number;
  /** Seconds since the current run was spawned (0 when not running). */
  uptime: number;
  /** CPU % of the app's main process over the last sample, or null. */
  cpu: number | null;
  /** Resident memory of the app's main process in bytes, or null. */
  memory: number | null;
  port: number | null;
}

/** What is persisted per app so a new daemon can adopt or end what the last one left. */
export interface AppRecord {
  name: string;
  status: AppStatus;
  pid: number | null;
  /** Start-time token of `pid` (tells a reused PID apart). */
  startToken: string | null;
  port: number | null;
  restarts: number;
  /** Epoch ms the current run was spawned. */
  startedAt: number | null;
  /**
   * How to stop this app, saved so a supervisor-less `pm stop` never re-runs the user's config file.
   * Absent in records written before it existed.
   */
  stop?: { signal: NodeJS.Signals; timeout: number };
  /**
   * Descendants that left the run's process group (`setsid`), as the live supervisor tracks them, so a
   * supervisor killed with -9 leaves nothing unfindable. Absent in records written before it existed.
   */
  strays?: { pid: number; token: string | null }[];
}
