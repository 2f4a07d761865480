import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import type { PortHolder } from '../errors.js';

/** True when nothing listens on `port` on either loopback family (we try to bind it, then let go). */
export async function isPortFree(port: number): Promise<boolean> {
  for (const host of ['127.0.0.1', '0.0.0.0', '::1']) {
    const free = await new Promise<boolean | null>((resolve) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' ? false : null));
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (free === false) return false;
  }
  return true;
}

/** Socket inodes listening on `port`, from /proc/net/tcp and tcp6 (state 0A = LISTEN). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1]!.endsWith(`:${hex}`) && f[3] === '0A') inodes.add(f[9]!);
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

/**
 * The process listening on `port`, or null when none is found. Reads /proc on Linux (only our own
 * processes' descriptors are readable, like `fuser` without root); elsewhere asks `lsof`.
 */
export async function findPortHolder(port: number): Promise<PortHolder | null> {
  const inodes = listeningInodes(port);
  if (inodes.size > 0) {
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
          const link = readlinkSync(`/proc/${entry}/fd/${fd}`);
          const m = /^socket:\[(\d+)\]$/.exec(link);
          if (m && inodes.has(m[1]!)) return { pid: Number(entry), command: commandOf(Number(entry)) };
        } catch {
          // fd closed meanwhile
        }
      }
    }
    return { pid: null, command: null };
  }
  if (process.platform === 'linux') return null;
  return new Promise((resolve) => {
    execFile('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], (error, stdout) => {
      const pid = Number(stdout.trim().split('\n')[0]);
      resolve(error || !pid ? null : { pid, command: null });
    });
  });
}
