import { readFileSync } from 'node:fs';

/** The fields of `/proc/<pid>/stat` the @pm packages use. */
export interface ProcStat {
  /** Field 3: `R`, `S`, `D`, `Z` (zombie), `X` (dead), ... */
  state: string;
  /** Field 4: parent pid. */
  ppid: number;
  /** Field 5: process group id. */
  pgid: number;
  /** Field 22: start time in clock ticks since boot, as written (an opaque identity token). */
  startTicks: string;
}

/**
 * Reads `/proc/<pid>/stat` (Linux: microseconds, clock-tick precision). Null when no such process;
 * undefined when /proc cannot tell (not Linux, or not readable), so callers fall back to other means.
 */
export function readProcStat(pid: number): ProcStat | null | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ESRCH' ? null : undefined;
  }
  // Field 2 (comm) may hold spaces and parentheses: split after the last ')'. f[0] is field 3.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: f[0] ?? '?', ppid: Number(f[1]), pgid: Number(f[2]), startTicks: f[19] ?? '' };
}

/**
 * An opaque token for when `pid` started, to tell a PID the system has since reused: `proc:<ticks
 * since boot>` from /proc (microseconds, clock-tick precision), else `ps:<ISO time>` from ps-list
 * (tens of ms, 1 s precision), or null when the process is gone or it cannot be told.
 */
export async function processStartToken(pid: number): Promise<string | null> {
  const stat = readProcStat(pid);
  if (stat) return `proc:${stat.startTicks}`;
  if (stat === null) return null;
  try {
    // Loaded only where /proc is missing; a dependency of every package that uses this.
    const { default: psList } = await import('ps-list');
    const entry = (await psList()).find((p) => p.pid === pid) as { startTime?: Date } | undefined;
    return entry?.startTime ? `ps:${entry.startTime.toISOString()}` : null;
  } catch {
    return null;
  }
}
