import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { openOwnFile } from '../safe-fs/own-file.js';

/**
 * A synchronous, size-rotated log file for the daemon's own log. Written here rather than with a
 * pino transport (pino-roll): transports run in a worker thread, which would cost the daemon more
 * memory than everything else it does.
 *
 * The file is opened without following symlinks and must be ours (see openOwnFile); rotation only
 * renames and unlinks names (which never reach through a symlink) and creates the new file exclusively.
 */
export class RotatingWriter {
  private fd: number;
  private size: number;
  /** Size at which the next rotation is tried; pushed back by `maxSize` when one fails. */
  private rotateAt: number;

  constructor(
    readonly path: string,
    private readonly maxSize: number,
    private readonly keep: number,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.fd = openOwnFile(path, 'append', { mode: 0o600 });
    this.size = fstatSync(this.fd).size;
    this.rotateAt = maxSize;
  }

  /** Appends one chunk (a log line), rotating first if it would pass the size limit. */
  write(chunk: string): boolean {
    const bytes = Buffer.byteLength(chunk);
    if (this.size + bytes > this.rotateAt && this.size > 0) this.rotate();
    writeSync(this.fd, chunk);
    this.size += bytes;
    return true;
  }

  private rotate(): void {
    try {
      rmSync(`${this.path}.${this.keep}`, { force: true });
      for (let i = this.keep - 1; i >= 1; i--)
        if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      if (this.keep > 0) renameSync(this.path, `${this.path}.1`);
      else rmSync(this.path, { force: true });
      // We just moved our file away: anything under its name now was planted, so only a new file will do.
      const fd = openOwnFile(this.path, 'append', { mode: 0o600, exclusive: true });
      closeSync(this.fd);
      this.fd = fd;
      this.size = 0;
      this.rotateAt = this.maxSize;
    } catch (error) {
      // A name we cannot replace or remove (another user's file in a shared sticky PM_HOME) or a full
      // disk: start our file over rather than let it grow without bound (or lose the daemon over it).
      try {
        ftruncateSync(this.fd, 0);
        this.size = 0;
        this.write(
          `${JSON.stringify({ level: 40, time: Date.now(), pid: process.pid, msg: `log rotation failed, log truncated: ${(error as Error).message}` })}\n`,
        );
      } catch {
        this.rotateAt = this.size + this.maxSize; // try again after another maxSize
      }
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
