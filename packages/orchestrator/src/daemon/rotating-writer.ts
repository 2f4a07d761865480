import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A synchronous, size-rotated log file for the daemon's own log. Written here rather than with a
 * pino transport (pino-roll): transports run in a worker thread, which would cost the daemon more
 * memory than everything else it does.
 */
export class RotatingWriter {
  private fd: number;
  private size: number;

  constructor(
    readonly path: string,
    private readonly maxSize: number,
    private readonly keep: number,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.fd = openSync(path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  /** Appends one chunk (a log line), rotating first if it would pass the size limit. */
  write(chunk: string): boolean {
    const bytes = Buffer.byteLength(chunk);
    if (this.size + bytes > this.maxSize && this.size > 0) this.rotate();
    writeSync(this.fd, chunk);
    this.size += bytes;
    return true;
  }

  private rotate(): void {
    closeSync(this.fd);
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    if (this.keep > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}
