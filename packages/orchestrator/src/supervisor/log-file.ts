import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  readSync,
  renameSync,
  rmSync,
  watch,
  writeSync,
  type FSWatcher,
} from 'node:fs';
import { dirname } from 'node:path';
import { createOwnFile, openOwnFile, tempNameFor } from '../safe-fs/own-file.js';
import { ensureOwnFolder } from '../safe-fs/safe-folder.js';

/** Largest partial line kept while waiting for its end; longer ones are cut so memory stays bounded. */
const MAX_PARTIAL = 64 * 1024;
const CHUNK = 64 * 1024;

/**
 * An app's log file. The app writes to it directly through an O_APPEND descriptor (so a daemon crash
 * can neither block nor kill it through a pipe); we tail it for `pm run`, log readiness and events,
 * and rotate it by copy + truncate, since the app keeps its descriptor (logrotate's copytruncate).
 * Every open refuses symlinks and files that are not ours (see openOwnFile), so another user who can
 * write the logs folder can neither redirect an app's output nor make rotation copy over or truncate
 * a file elsewhere.
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
      this.offset = lstatSync(path).size;
    } catch {
      // no log yet
    }
  }

  /**
   * Opens the file for appending and returns a descriptor for the child's stdout/stderr; close it after
   * spawning. `header` (one line) is written first, so `pm logs` shows where each run begins.
   */
  openForChild(header?: string): number {
    ensureOwnFolder(dirname(this.path), 'the logs folder', { checkParents: false });
    const fd = openOwnFile(this.path, 'append', { mode: 0o600 });
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
    let fd: number | undefined;
    try {
      // The same checks as the app's own output: never through a symlink, only into our own file.
      ensureOwnFolder(dirname(this.path), 'the logs folder', { checkParents: false });
      fd = openOwnFile(this.path, 'append', { mode: 0o600 });
      writeSync(fd, `${line}\n`);
    } catch {
      // EMFILE, ENOSPC, an unsafe path …: the event and the start error still say it
    } finally {
      if (fd !== undefined) closeSync(fd);
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
      size = lstatSync(this.path).size; // a symlink's own size: rotation refuses it anyway
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
      fd = openOwnFile(path, 'read');
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
    let fd: number | undefined;
    try {
      // Through a descriptor of our own file: truncating or copying by path would follow a planted symlink.
      fd = openOwnFile(this.path, 'update');
      if (this.keep > 0) {
        rmSync(`${this.path}.${this.keep}`, { force: true });
        for (let i = this.keep - 1; i >= 1; i--) {
          if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
        }
        copyToNewFile(fd, `${this.path}.1`);
      }
      ftruncateSync(fd, 0);
      // Lines written since the last read are in the copy now: hand them on before starting over.
      if (this.keep > 0 && this.listeners.size > 0) this.readNew(lstatSync(`${this.path}.1`).size, `${this.path}.1`);
      this.offset = 0;
      if (this.listeners.size === 0) this.partial = '';
    } catch {
      // A failed rotation is retried on the next poll; the app is never disturbed.
    } finally {
      if (fd !== undefined) closeSync(fd);
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

/** Copies all of `source` into a new file that replaces `target` (exclusive temp file + rename, mode 0600). */
function copyToNewFile(source: number, target: string): void {
  const tmp = tempNameFor(target);
  const out = createOwnFile(tmp, 0o600);
  try {
    const buffer = Buffer.alloc(CHUNK);
    for (let position = 0, n; (n = readSync(source, buffer, 0, CHUNK, position)) > 0; position += n) writeSync(out, buffer, 0, n);
  } catch (error) {
    closeSync(out);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(out);
  try {
    renameSync(tmp, target); // replaces a symlink planted at `target`, never writes through it
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
