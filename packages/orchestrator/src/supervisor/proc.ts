import { readdirSync } from 'node:fs';
import { processStartToken as startToken, readProcStat as readStat, type ProcStat as Stat } from '@pm/kernel/proc-stat';

// Process identity and trees from /proc: microseconds per read and clock-tick precision, where
// ps-list takes tens of ms and has 1 s precision (it stays the fallback where /proc is missing).

const hasProc = (): boolean => readStat(process.pid) !== undefined;

/** {@link startToken} from /proc, synchronously; undefined where /proc is unavailable (use the async one). */
export function startTokenSync(pid: number): string | null | undefined {
  const stat = readStat(pid);
  if (stat) return `proc:${stat.startTicks}`;
  return stat === null ? null : undefined;
}

/** An opaque token for when `pid` started (to tell a PID reused by another process), or null if gone or unknown. */
export { startToken };

/** True when `pid` is a live (non-zombie) process. */
export function pidAlive(pid: number): boolean {
  const stat = readStat(pid);
  if (stat === null) return false;
  if (stat) return stat.state !== 'Z' && stat.state !== 'X';
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `pid` is alive and still the process that had `token` (null token: alive is enough). */
export async function sameProcess(pid: number, token: string | null): Promise<boolean> {
  if (!pidAlive(pid)) return false;
  if (!token) return true;
  return (await startToken(pid)) === token;
}

/** True while any live process is in process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  if (hasProc()) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat && stat.pgid === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every live process's stat, read from /proc once; empty where /proc is missing. */
function processTable(): Map<number, Stat> {
  const table = new Map<number, Stat>();
  if (!hasProc()) return table;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.state !== 'Z' && stat.state !== 'X') table.set(Number(entry), stat);
  }
  return table;
}

function descendantsIn(table: Map<number, Stat>, pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const [p, stat] of table) {
    const list = children.get(stat.ppid) ?? [];
    list.push(p);
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    out.push(next);
    stack.push(...(children.get(next) ?? []));
  }
  return out;
}

/** Every live descendant of `pid` (children, grandchildren …), found through parent links in /proc. */
export function descendants(pid: number): number[] {
  return descendantsIn(processTable(), pid);
}

/** A process as recorded: its pid and start token, so a PID the system has since reused is told apart. */
export interface ProcessRef {
  pid: number;
  /** {@link startToken} when recorded; null where it could not be read (then alive is enough). */
  token: string | null;
}

/** A {@link ProcessRef} for a live `pid` now, or null if it is gone. */
export function processRef(pid: number): ProcessRef | null {
  if (!pidAlive(pid)) return null;
  return { pid, token: startTokenSync(pid) ?? null };
}

/** True while the process `ref` recorded is alive (not a zombie) and still the same process (start token). */
export function isSameProcess(ref: ProcessRef): boolean {
  if (!pidAlive(ref.pid)) return false;
  if (ref.token === null) return true;
  const token = startTokenSync(ref.pid);
  return token === undefined || token === ref.token; // no /proc: nothing better than alive
}

// One /proc table shared by every app's periodic stray scan (a scan reads every process's stat:
// about 10 µs each), reused while younger than the caller's maxAge.
let cachedTable: { at: number; table: Map<number, Stat> } | null = null;

/**
 * Descendants of `pid` that left its process group (a helper that daemonized, `setsid`): a signal to
 * the group does not reach them, and once `pid` exits nothing links them to it. Supervisors record
 * them while `pid` lives. `maxAge` ms lets the /proc read be shared with other recent callers.
 */
export function strayDescendants(pid: number, maxAge = 0): ProcessRef[] {
  const now = Date.now();
  if (!cachedTable || now - cachedTable.at > maxAge) cachedTable = { at: now, table: processTable() };
  const table = cachedTable.table;
  const out: ProcessRef[] = [];
  for (const p of descendantsIn(table, pid)) {
    if (table.get(p)!.pgid !== pid) out.push({ pid: p, token: `proc:${table.get(p)!.startTicks}` });
  }
  return out;
}
