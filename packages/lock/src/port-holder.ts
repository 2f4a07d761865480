import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

// Finding who holds a port is the other half of "is another instance running?": the adapters and
// the supervisor all name the culprit of an EADDRINUSE with this one implementation.

/** The process found listening on a port. */
export interface PortHolder {
  /** Its PID, or null when the socket was found but not its owner (another user's process). */
  pid: number | null;
  /** Its command line, when readable. */
  command: string | null;
}

/** How messages name a port's holder: `PID 123 (node server.js)`; null when its PID is unknown. */
export function describePortHolder(holder: PortHolder | null): string | null {
  if (holder?.pid == null) return null;
  return `PID ${holder.pid}${holder.command ? ` (${holder.command})` : ''}`;
}

/** Inodes of sockets listening on `port`, from /proc/net/tcp and tcp6 (state 0A = LISTEN). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1]!.endsWith(hex) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  return inodes;
}

function commandOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') || null;
  } catch {
    return null;
  }
}

/** The /proc/<pid>/fd entry holding one of `inodes` (only our user's processes are readable, like `fuser`). */
function pidOwning(inodes: Set<string>): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(entry);
      } catch {
        // the descriptor closed meanwhile
      }
    }
  }
  return null;
}

/**
 * The process listening on TCP `port` (any address), or null when nothing is found. Reads /proc on
 * Linux (microseconds, no child process); elsewhere asks `lsof`. Never throws.
 */
export async function findPortHolder(port: number): Promise<PortHolder | null> {
  if (process.platform === 'linux') {
    try {
      const inodes = listeningInodes(port);
      if (inodes.size === 0) return null;
      const pid = pidOwning(inodes);
      return { pid, command: pid === null ? null : commandOf(pid) };
    } catch {
      return null;
    }
  }
  return new Promise((resolve) => {
    execFile('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], { timeout: 2000 }, (error, stdout) => {
      const pid = Number(String(stdout).trim().split('\n')[0]);
      resolve(error || !pid ? null : { pid, command: null });
    });
  });
}
