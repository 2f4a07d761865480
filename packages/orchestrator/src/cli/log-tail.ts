import { closeSync, openSync, readSync, statSync } from 'node:fs';

// Shared by `pm logs` and `pm monit`: reading a log's tail and following it across rotations.

/** The bytes `[from, to)` of `file` as UTF-8. */
export function readRange(file: string, from: number, to: number): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    const n = readSync(fd, buffer, 0, buffer.length, from);
    return buffer.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** The last `count` lines of a file, reading only its tail. */
export function lastLines(file: string, count: number): string[] {
  const size = statSync(file).size;
  let from = Math.max(0, size - 64 * 1024);
  let text = readRange(file, from, size);
  while (text.split('\n').length <= count + 1 && from > 0) {
    from = Math.max(0, from - 256 * 1024);
    text = readRange(file, from, size);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (from > 0) lines.shift(); // partial first line
  return lines.slice(-count);
}

// How long a changed `.1` may look like a rotation in progress before it is taken as it is.
const SETTLE_MS = 2000;

/** The newest rotated copy (`<log>.1`): a stamp that changes with each rotation, and its size (0 when absent). */
function rotatedCopy(file: string): { stamp: string; size: number } {
  try {
    const copy = statSync(`${file}.1`);
    return { stamp: `${copy.ino}:${copy.mtimeMs}:${copy.size}`, size: copy.size };
  } catch {
    return { stamp: '', size: 0 };
  }
}

/**
 * Follows one app log from its current end: each {@link LogFollower.poll} returns the whole lines written
 * since the last one, across rotations (`<log>` copied to `<log>.1`, then truncated) without losing or
 * repeating a line. Poll often enough that a fast writer's log is rarely rotated twice between two polls.
 */
export class LogFollower {
  private offset: number;
  private rotation: string;
  private partial = '';
  private unsettledSince: number | undefined;

  /** Starts at the end of `file`, which must exist. */
  constructor(readonly file: string) {
    this.offset = statSync(file).size;
    this.rotation = rotatedCopy(file).stamp;
  }

  /** The complete lines written since the last poll (none while a rotation is half done or the file is gone). */
  poll(): string[] {
    const file = this.file;
    // The copy before and after the log's size: a rotation in between is seen either way.
    const before = rotatedCopy(file);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return [];
    }
    const copy = rotatedCopy(file);
    let offset = this.offset;
    let text = this.partial;
    // A rotation shifts .1 away, copies the log to a new .1, then truncates the log. It is complete
    // (and ours to handle) only once the log is shorter than the new copy; before that, look again later.
    const copyChanged = before.stamp !== this.rotation || copy.stamp !== this.rotation;
    if (copyChanged && size < copy.size && copy.size >= offset) {
      // What we had not read yet is at the end of the copy; the log itself starts again from 0.
      this.rotation = copy.stamp;
      if (copy.size > offset) text += readRange(`${file}.1`, offset, copy.size);
      offset = 0;
    } else if (!copyChanged && size < offset)
      offset = 0; // emptied by hand: read it from its start
    else if (copyChanged) {
      // Mid-rotation: read nothing now, so nothing is read twice. A copy changed by anything else
      // (deleted or touched by hand) is accepted after a while, so following never stalls.
      this.unsettledSince ??= Date.now();
      if (Date.now() - this.unsettledSince < SETTLE_MS) return [];
      this.rotation = copy.stamp;
      if (size < offset) offset = 0;
    }
    this.unsettledSince = undefined;
    if (size > offset) text += readRange(file, offset, size);
    this.offset = size;
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    return lines;
  }
}
