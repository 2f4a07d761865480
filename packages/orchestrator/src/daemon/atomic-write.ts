import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createOwnFile, tempNameFor } from '../safe-fs/own-file.js';

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
 *
 * Safe in a folder other users can write (sticky): the temp file has a random name and is created
 * exclusively (never through a symlink or over a file someone planted), and rename replaces a symlink
 * at `file` or `previous` rather than writing through it.
 */
export function writeFileAtomic(file: string, data: string, options: WriteFileAtomicOptions = {}): void {
  const mode = options.mode ?? 0o600;
  const tmp = tempNameFor(file);
  let created = false;
  try {
    const fd = createOwnFile(tmp, mode);
    created = true;
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.previous !== undefined && existsSync(file)) renameSync(file, options.previous);
    renameSync(tmp, file);
  } catch (error) {
    // Only a file we created: never unlink a name someone else planted.
    if (created) rmSync(tmp, { force: true });
    throw error;
  }
  fsyncDir(dirname(file));
}
