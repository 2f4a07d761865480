import { configDefaults } from '../config/defaults.js';
import type { AppRecord } from '../supervisor/events.js';
import { killTree } from '../supervisor/kill.js';
import { groupAlive, isSameProcess, pidAlive, sameProcess } from '../supervisor/proc.js';

/** Options of {@link endLeftover}. */
export interface EndLeftoverOptions {
  /** SIGKILL at once instead of the record's stop signal and timeout (a second Ctrl-C). @default false */
  now?: boolean;
}

/**
 * Ends what an app record says is running, the one way every supervisor-less path does it (`pm stop`
 * without a daemon, recovery by the next supervisor, a second Ctrl-C of `pm run`): the app's process
 * tree when its pid still belongs to the process recorded (pid + start time), and every saved stray
 * (a descendant that left the group with `setsid`) that is still the process recorded. Stops with the
 * record's own stop settings, so the user's config is never evaluated for it (records written before
 * they were saved get the defaults). Resolves true when anything was signalled.
 */
export async function endLeftover(record: AppRecord, options: EndLeftoverOptions = {}): Promise<boolean> {
  const stop = options.now ? { signal: 'SIGKILL' as const, timeout: 0 } : (record.stop ?? configDefaults.app.stop);
  const strays = (record.strays ?? []).filter(isSameProcess);
  const pid = record.pid;
  if (pid !== null && (await sameProcess(pid, record.startToken))) {
    await killTree({ pid, ...stop, strays });
    return true;
  }
  // The leader is gone. Its group is still the app's only while no live process has its pid: a group
  // id stays reserved while the group has members, but a reused pid may lead a group of its own.
  if (pid !== null && !pidAlive(pid) && groupAlive(pid)) {
    await killTree({ pid, ...stop, leaderGone: true, strays });
    return true;
  }
  if (strays.length === 0) return false;
  // Each stray checked just above is a live process we recorded; as a group leader (setsid) its group
  // is its own, so its own helpers go with it.
  await Promise.all(strays.map((stray) => killTree({ pid: stray.pid, ...stop })));
  return true;
}

/** {@link endLeftover} for several records at once; resolves with the names of those that had something to end. */
export async function endLeftovers(records: readonly AppRecord[], options: EndLeftoverOptions = {}): Promise<string[]> {
  const ended = await Promise.all(records.map(async (record) => ((await endLeftover(record, options)) ? record.name : null)));
  return ended.filter((name): name is string => name !== null);
}
