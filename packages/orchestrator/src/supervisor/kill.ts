import { setTimeout as delay } from 'node:timers/promises';
import { descendants, groupAlive, pidAlive } from './proc.js';

/** Options of {@link killTree}. */
export interface KillTreeOptions {
  /** Leader of the process group (the app's pid; apps are spawned as group leaders). */
  pid: number;
  /** First signal, to the whole group. */
  signal: NodeJS.Signals;
  /** Ms before SIGKILL to the group. */
  timeout: number;
}

function send(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // ESRCH: already gone; EPERM: not ours to kill. Either way nothing more to do here.
  }
}

/**
 * Ends an app's whole process tree: `signal` to its process group (and to any descendant that moved
 * to another group), SIGKILL to all of them after `timeout`, and resolves once none is left.
 * Resolves `'graceful'` or `'killed'`.
 */
export async function killTree({ pid, signal, timeout }: KillTreeOptions): Promise<'graceful' | 'killed'> {
  // Snapshot before signalling: once the leader dies its children are re-parented and the link is lost.
  const strays = descendants(pid);
  const alive = (): boolean => groupAlive(pid) || pidAlive(pid) || strays.some(pidAlive);
  send(-pid, signal);
  for (const p of strays) send(p, signal);
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (!alive()) return 'graceful';
    await delay(Math.min(25, Math.max(1, deadline - Date.now())));
  }
  // Descendants may have forked more since the snapshot.
  const late = [...strays, ...strays.flatMap(descendants), ...descendants(pid)];
  send(-pid, 'SIGKILL');
  send(pid, 'SIGKILL');
  for (const p of late) send(p, 'SIGKILL');
  const hardDeadline = Date.now() + 5_000;
  while ((groupAlive(pid) || pidAlive(pid) || late.some(pidAlive)) && Date.now() < hardDeadline) await delay(10);
  return 'killed';
}
