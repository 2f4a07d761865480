import { existsSync } from 'node:fs';
import { useEffect, useRef, useState } from 'react';
import { lastLines, LogFollower } from '../cli/log-tail.js';
import { requestDaemon } from '../daemon/client.js';
import type { AppStatusInfo } from '../supervisor/events.js';
import { cleanLine } from './format.js';
import { StatusHistory } from './history.js';

/** What the status poll knows: the apps as last seen, their history, and why the daemon did not answer (null when it did). */
export interface DaemonView {
  /** Every app as last seen. */
  apps: AppStatusInfo[];
  /** Samples and since-when of every app. */
  history: StatusHistory;
  /** Why the last poll failed, or null when the daemon answered. */
  error: string | null;
  /** Takes a status the daemon sent with another answer (after start/stop/restart) without waiting for the next poll. */
  accept: (apps: AppStatusInfo[]) => void;
}

/** Polls the daemon's status every `intervalMs`, one request at a time, and keeps each app's samples. */
export function useDaemonStatus(socket: string, intervalMs: number, initial: AppStatusInfo[]): DaemonView {
  const history = useRef(new StatusHistory()).current;
  const [apps, setApps] = useState(() => {
    history.record(initial);
    return initial;
  });
  const [error, setError] = useState<string | null>(null);
  const accept = useRef((next: AppStatusInfo[]) => setApps(next)).current;
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const poll = async () => {
      try {
        const answer = await requestDaemon(socket, { cmd: 'status' }, 5000);
        if (stopped) return;
        const status = answer.status ?? [];
        history.record(status);
        setApps(status);
        setError(answer.ok ? null : answer.error.message);
      } catch (cause) {
        if (!stopped) setError((cause as Error).message);
      }
      if (!stopped) timer = setTimeout(() => void poll(), intervalMs);
    };
    timer = setTimeout(() => void poll(), intervalMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [socket, intervalMs, history]);
  return { apps, history, error, accept };
}

/**
 * The last `keep` lines of a log file, followed live (every `intervalMs`) with the follower of `pm logs -f`,
 * so rotations lose and repeat nothing. A log that does not exist yet is looked for again on each tick.
 */
export function useLogTail(file: string | null, keep: number, intervalMs: number): string[] {
  const [lines, setLines] = useState<string[]>([]);
  useEffect(() => {
    setLines([]);
    if (file === null) return;
    let follower: LogFollower | null = null;
    const tick = () => {
      try {
        if (!follower) {
          if (!existsSync(file)) return;
          const first = lastLines(file, keep).map(cleanLine);
          follower = new LogFollower(file);
          setLines(first);
          return;
        }
        const fresh = follower.poll();
        if (fresh.length > 0) setLines((before) => [...before, ...fresh.map(cleanLine)].slice(-keep));
      } catch {
        follower = null; // removed or unreadable for a moment: read its tail again on the next tick
      }
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    return () => clearInterval(timer);
  }, [file, keep, intervalMs]);
  return lines;
}

/** The terminal's size, updated when it is resized. */
export function useTerminalSize(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/** A message for the footer that clears itself `ttlMs` after it is set (a pending one stays until replaced). */
export function useFlash(
  ttlMs: number,
): [{ text: string; tone: 'info' | 'error' } | null, (text: string, tone: 'info' | 'error', pending?: boolean) => void] {
  const [flash, setFlash] = useState<{ text: string; tone: 'info' | 'error' } | null>(null);
  const timer = useRef<NodeJS.Timeout | undefined>(undefined);
  const show = useRef((text: string, tone: 'info' | 'error', pending = false) => {
    clearTimeout(timer.current);
    setFlash({ text, tone });
    if (!pending) timer.current = setTimeout(() => setFlash(null), ttlMs);
  }).current;
  useEffect(() => () => clearTimeout(timer.current), []);
  return [flash, show];
}
