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
