import { readFileSync } from 'node:fs';
import { processStartToken, readProcStat } from '@pm/kernel/proc-stat';

// Liveness and identity of processes. /proc on Linux answers in microseconds and with clock-tick
// precision; ps-list (10-20 ms, 1 s precision) is only the fallback where /proc is missing.

let cachedBootId: string | null | undefined;

/** This machine's boot id (Linux), so a record from before a reboot is known stale; null elsewhere. */
export function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

/** When `pid` started, as an opaque token (`proc:<ticks>` or `ps:<ISO time>`), or null if gone or unknown. */
export { processStartToken } from '@pm/kernel/proc-stat';

/** True when a signal could reach `pid` (EPERM means it exists but belongs to another user: alive). */
function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a holder is considered gone, or 'alive'. */
export type Liveness = 'alive' | 'dead' | 'pid-reused' | 'rebooted';

/** Judges whether the process named by a record is still the one that wrote it. */
export async function holderLiveness(holder: { pid: number; processStart?: string | null; bootId?: string | null }): Promise<Liveness> {
  const ourBoot = bootId();
  if (holder.bootId && ourBoot && holder.bootId !== ourBoot) return 'rebooted';
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return 'dead';
  const stat = readProcStat(holder.pid);
  if (stat === null) return 'dead';
  if (stat && (stat.state === 'Z' || stat.state === 'X')) return 'dead'; // exited, not yet reaped
  if (stat === undefined && !signalReaches(holder.pid)) return 'dead';
  if (holder.processStart) {
    const now = await processStartToken(holder.pid);
    // Only tokens of the same kind compare; an unknown start time is not proof of reuse.
    if (now && now.split(':')[0] === holder.processStart.split(':')[0] && now !== holder.processStart) return 'pid-reused';
  }
  return 'alive';
}

/** The user ids (real, effective, saved, filesystem) of `pid`, or null when they cannot be read. */
async function processUids(pid: number): Promise<number[] | null> {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const line = /^Uid:\s+(.*)$/m.exec(status)?.[1];
    if (line) return line.trim().split(/\s+/).map(Number);
  } catch {
    // Not Linux, or the process is gone: ps-list below, or unknown.
  }
  try {
    const { default: psList } = await import('ps-list');
    const uid = (await psList()).find((p) => p.pid === pid)?.uid;
    return uid === undefined ? null : [uid];
  } catch {
    return null;
  }
}

/**
 * True only when the record proves who holds the lock: its PID runs now with exactly the recorded
 * start time (and boot), and belongs to `ownerUid`, the user who created the record or socket. A
 * record without a start time, or naming another user's process, proves nothing: it may be a
 * hand-written PID or a planted record, and must never lead anyone to kill that PID.
 */
export async function isVerifiedHolder(
  holder: { pid: number; processStart?: string | null; bootId?: string | null },
  ownerUid: number | undefined,
): Promise<boolean> {
  if (!holder.processStart || ownerUid === undefined) return false;
  const ourBoot = bootId();
  if (holder.bootId && ourBoot && holder.bootId !== ourBoot) return false;
  if ((await processStartToken(holder.pid)) !== holder.processStart) return false;
  return (await processUids(holder.pid))?.includes(ownerUid) ?? false;
}
