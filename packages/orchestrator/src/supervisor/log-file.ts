import {
  appendFileSync,
  closeSync,
  copyFileSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  watch,
  writeSync,
  type FSWatcher,
} from 'node:fs';
import { dirname } from 'node:path';

/** Largest partial line kept while waiting for its end; longer ones are cut so memory stays bounded. */
const MAX_PARTIAL = 64 * 1024;
const CHUNK = 64 * 1024;

/**
 * An app's log file. The app writes to it directly through an O_APPEND descriptor (so a daemon crash
 * can neither block nor kill it through a pipe); we tail it for `pm run`, log readiness and events,
 * and rotate it by copy + truncate, since the app keeps its descriptor (logrotate's copytruncate).
 */
export class AppLogFile {
  private offset = 0;
  private partial = '';
  private watcher: FSWatcher | null = null;
  private listeners = new Set<(line: string) => void>();

  constructor(
    /** The log file path. */
    readonly path: string,
    private readonly maxSize: number,
    private readonly keep: number,
  ) {
    // What an earlier run wrote is history: listeners (pm run, log readiness) get only what comes next.
    try {
      this.offset = statSync(path).size;
    } catch {
      // no log yet
    }
  }

  /**
   * Opens the file for appending and returns a descriptor for the child's stdout/stderr; close it after
   * spawning. `header` (one line) is written first, so `pm logs` shows where each run begins.
   */
  openForChild(header?: string): number {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const fd = openSync(this.path, 'a', 0o600);
    try {
      if (header !== undefined) writeSync(fd, `${header}\n`);
      this.offset = fstatSync(fd).size; // readers (pm run, log readiness) only care about what this run's app writes
    } catch (error) {
      closeSync(fd); // a failed start must not leak a descriptor (the next one may be the last free one)
      throw error;
    }
    this.partial = '';
    return fd;
  }

  /** Appends one line from pm itself (why a start failed), best effort: a log that cannot be written is no reason to fail more. */
  note(line: string): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      appendFileSync(this.path, `${line}\n`, { mode: 0o600 });
    } catch {
      // EMFILE, ENOSPC …: the event and the start error still say it
    }
  }

  /** Calls `listener` with each new complete line. Returns a remover. Watching starts with the first listener. */
  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    if (!this.watcher && existsSync(this.path)) {
      try {
        this.watcher = watch(this.path, { persistent: false }, () => this.poll());
      } catch {
        // No inotify slots: the periodic poll still reads the file.
      }
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.unwatch();
    };
  }

  /** Reads what was appended (when someone listens) and rotates the file when it is too big. */
  poll(): void {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      return;
    }
    if (size < this.offset) this.offset = 0; // truncated by rotation
    if (this.listeners.size > 0 && size > this.offset) this.readNew(size);
    else this.offset = size;
    if (size > this.maxSize) this.rotate();
  }

  private readNew(size: number, path = this.path): void {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return;
    }
    try {
      const buffer = Buffer.alloc(CHUNK);
      while (this.offset < size) {
        const n = readSync(fd, buffer, 0, Math.min(CHUNK, size - this.offset), this.offset);
        if (n <= 0) break;
        this.offset += n;
        const text = this.partial + buffer.toString('utf8', 0, n);
        const lines = text.split('\n');
        this.partial = lines.pop()!.slice(-MAX_PARTIAL);
        for (const line of lines) for (const listener of [...this.listeners]) listener(line.replace(/\r$/, ''));
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Shifts `.1` … `.keep`, copies the live file to `.1` and truncates it. */
  rotate(): void {
    try {
      if (this.keep === 0) {
        truncateSync(this.path, 0);
      } else {
        rmSync(`${this.path}.${this.keep}`, { force: true });
        for (let i = this.keep - 1; i >= 1; i--) {
          if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
        }
        copyFileSync(this.path, `${this.path}.1`);
        truncateSync(this.path, 0);
        // Lines written since the last read are in the copy now: hand them on before starting over.
        if (this.listeners.size > 0) this.readNew(statSync(`${this.path}.1`).size, `${this.path}.1`);
      }
      this.offset = 0;
      if (this.listeners.size === 0) this.partial = '';
    } catch {
      // A failed rotation is retried on the next poll; the app is never disturbed.
    }
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  /** Stops watching. */
  close(): void {
    this.listeners.clear();
    this.unwatch();
  }
}
