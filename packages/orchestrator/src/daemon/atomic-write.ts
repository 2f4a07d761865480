import { closeSync, existsSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Mode of the written file (set on the temp file before the rename, whatever the umask). @default 0o600 */
  mode?: number;
  /** When set, the file being replaced is first renamed to this path (a previous copy to recover from). @default none */
  previous?: string;
}

// Platforms and file systems that cannot open or fsync a directory (Windows; some network and FUSE
// file systems) answer with one of these: the rename is then as durable as that platform allows.
const DIR_FSYNC_UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'ENOTSUP']);

/**
 * fsyncs a directory, so a rename inside it survives a power cut; best effort where the platform
 * cannot (see `DIR_FSYNC_UNSUPPORTED`), any other error is thrown.
 */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    if (!DIR_FSYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Replaces `file` with `data` so that a reader (or a restart after a crash or power cut) sees the
 * old content or the new, never a torn mix: a temp file in the same folder, written with `mode`
 * and fsync'd, renamed over `file`, then the folder fsync'd. The temp file is removed if any step
 * before the rename fails.
 */
export function writeFileAtomic(file: string, data: string, options: WriteFileAtomicOptions = {}): void {
  const mode = options.mode ?? 0o600;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      // open's mode applies only to a new file: a temp file a crashed run left keeps its old mode.
      fchmodSync(fd, mode);
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.previous !== undefined && existsSync(file)) renameSync(file, options.previous);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  fsyncDir(dirname(file));
}
