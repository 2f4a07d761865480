import type { InstanceAlreadyRunningError, InstanceLock } from '@pm/lock';
import type { PmPaths } from '../daemon/paths.js';

/**
 * Name of the lock one supervisor of a project holds, a daemon or a foreground `pm run` alike, so
 * the two never supervise one project at once.
 */
export const SUPERVISOR_LOCK_NAME = 'pm-daemon';

/** Who holds a project's supervisor lock. */
export interface SupervisorHolder {
  pid: number;
  /** `run`: a foreground `pm run`; `daemon`: the background daemon. */
  mode: 'run' | 'daemon';
  /** True only when the lock proved the holder's identity (pid + start time + uid): only then may a message say `kill`. */
  verified: boolean;
}

/** How to end the holder: a kill command only for a verified holder, else how to check who that PID is first. */
export function stopHint(holder: SupervisorHolder): string {
  return holder.verified ? `kill -TERM ${holder.pid}` : `check it with \`ps -o pid,user,lstart,args -p ${holder.pid}\` before ending it`;
}

/** Result of {@link acquireSupervisorLock}: the lock, or the live supervisor that holds it. */
export type SupervisorLockResult = { lock: InstanceLock; running?: undefined } | { lock?: undefined; running: InstanceAlreadyRunningError };

/** Options of {@link acquireSupervisorLock}. */
export interface AcquireSupervisorLockOptions {
  paths: PmPaths;
  mode: 'run' | 'daemon';
  /** Extra fields in the lock record (the daemon's socket, the config file). */
  metadata?: Record<string, unknown>;
}

/**
 * Takes the project's supervisor lock; the one check for "a supervisor already runs this project".
 * Any other failure (unwritable folder …) is thrown.
 */
export async function acquireSupervisorLock({ paths, mode, metadata = {} }: AcquireSupervisorLockOptions): Promise<SupervisorLockResult> {
  const { acquireInstanceLock } = await import('@pm/lock');
  try {
    const lock = await acquireInstanceLock({
      name: SUPERVISOR_LOCK_NAME,
      path: paths.lock,
      metadata: { ...metadata, mode },
      releaseOnExit: true,
    });
    return { lock };
  } catch (error) {
    // By code, not instanceof: a second copy of @pm/lock (two versions installed) has its own class.
    if ((error as { code?: string }).code === 'PM_INSTANCE_RUNNING') return { running: error as InstanceAlreadyRunningError };
    throw error;
  }
}

/** The live process holding this project's supervisor lock (a daemon, or a foreground `pm run`), or null. */
export async function supervisorHolder(paths: PmPaths): Promise<SupervisorHolder | null> {
  // Loaded here, not at the top: `pm status`, which scripts call in loops, imports this module too.
  const { inspectInstanceLock } = await import('@pm/lock');
  const found = await inspectInstanceLock({ name: SUPERVISOR_LOCK_NAME, path: paths.lock });
  if (found.state !== 'held' || !found.holder) return null;
  const verified = found.holderVerified ?? true;
  return { pid: found.holder.pid, mode: found.holder.metadata.mode === 'run' ? 'run' : 'daemon', verified };
}
