import { setTimeout as delay } from 'node:timers/promises';
import { descendants, groupAlive, isSameProcess, pidAlive, processRef, type ProcessRef } from './proc.js';

/** Options of {@link killTree}. */
export interface KillTreeOptions {
  /** Leader of the process group (the app's pid; apps are spawned as group leaders). */
  pid: number;
  /** First signal, to the whole group. */
  signal: NodeJS.Signals;
  /** Ms before SIGKILL to the group. */
  timeout: number;
  /**
   * The leader has already exited (and been reaped): only its group, while it has members, and
   * `strays` are signalled, never `pid` itself, which the system may have given to a new process.
   * @default false
   */
  leaderGone?: boolean;
  /**
   * Descendants recorded earlier that left the group (they are checked to be the same processes
   * first). A live leader's current descendants are looked up as well.
   * @default []
   */
  strays?: readonly ProcessRef[];
}

function send(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // ESRCH: already gone; EPERM: not ours to kill. Either way nothing more to do here.
  }
}

function unique(refs: (ProcessRef | null)[]): ProcessRef[] {
  const byPid = new Map<number, ProcessRef>();
  for (const ref of refs) if (ref && !byPid.has(ref.pid)) byPid.set(ref.pid, ref);
  return [...byPid.values()];
}

/**
 * Ends an app's whole process tree: `signal` to its process group (and to any descendant that moved
 * to another group), SIGKILL to all of them after `timeout`, and resolves once none is left.
 * Resolves `'graceful'` or `'killed'`.
 */
export async function killTree({
  pid,
  signal,
  timeout,
  leaderGone = false,
  strays: recorded = [],
}: KillTreeOptions): Promise<'graceful' | 'killed'> {
  // Snapshot before signalling: once the leader dies its children are re-parented and the link is lost.
  const strays = unique([...recorded.filter(isSameProcess), ...(leaderGone ? [] : descendants(pid).map(processRef))]);
  const leaderAlive = (): boolean => !leaderGone && pidAlive(pid);
  // A group id stays reserved while the group has members, so a group seen alive is still the app's.
  const sendGroup = (sig: NodeJS.Signals): void => {
    if (!leaderGone || groupAlive(pid)) send(-pid, sig);
  };
  const alive = (): boolean => groupAlive(pid) || leaderAlive() || strays.some(isSameProcess);
  sendGroup(signal);
  for (const p of strays) send(p.pid, signal);
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (!alive()) return 'graceful';
    await delay(Math.min(25, Math.max(1, deadline - Date.now())));
  }
  // Descendants may have forked more since the snapshot.
  const live = strays.filter(isSameProcess);
  const late = unique([
    ...live,
    ...live.flatMap((p) => descendants(p.pid).map(processRef)),
    ...(leaderGone ? [] : descendants(pid).map(processRef)),
  ]);
  sendGroup('SIGKILL');
  if (!leaderGone) send(pid, 'SIGKILL');
  for (const p of late) if (isSameProcess(p)) send(p.pid, 'SIGKILL');
  const hardDeadline = Date.now() + 5_000;
  while ((groupAlive(pid) || leaderAlive() || late.some(isSameProcess)) && Date.now() < hardDeadline) await delay(10);
  return 'killed';
}
