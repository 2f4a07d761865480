import type { ResolvedReady } from '../../config/resolve.js';
import type { HealthAnnounceState } from '../events.js';
import type { AppLogFile } from '../log-file.js';

/** What one run has heard over its IPC channel so far (the run updates it as messages arrive). */
export interface IpcState {
  /** The run has an IPC channel (script apps, or `ready: 'ipc'`). */
  readonly channel: boolean;
  /** A `{ type: 'pm:ready' }` or `'ready'` message arrived. */
  ready: boolean;
  /** The last state the run's @pm/health announced, if any. */
  health: HealthAnnounceState | null;
}

/**
 * What the app learned about itself over its runs since the last `start()`: whether it announces
 * itself through @pm/health (null: not known yet). A run that stayed silent through the announce
 * window makes later automatic restarts skip the window.
 */
export interface AnnounceMemory {
  announces: boolean | null;
}

/** Everything a readiness kind may look at while it waits. */
export interface ReadinessContext {
  /** The app's port for this run (substituted for `${PORT}`), or null. */
  readonly port: number | null;
  /** The app's log file (log readiness reads the lines this run writes). */
  readonly log: AppLogFile;
  readonly ipc: IpcState;
  readonly memory: AnnounceMemory;
}

/** The settings of one readiness kind. */
export type ReadySettings<K extends ResolvedReady['kind']> = Extract<ResolvedReady, { kind: K }>;

/**
 * One readiness kind: resolves true once the run is ready, false once `signal` aborts (the ready
 * timeout, or the run ended) first. It never throws.
 */
export type ReadinessKind<K extends ResolvedReady['kind']> = (
  ready: ReadySettings<K>,
  run: ReadinessContext,
  signal: AbortSignal,
) => Promise<boolean>;
