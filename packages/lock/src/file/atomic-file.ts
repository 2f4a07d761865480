import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { parseLockFile } from '../record.js';

// Synchronous on purpose: each call is a few microseconds of local I/O, and a thread-pool hop per
// call would cost more than the work (it made acquire+release 3x slower in bench/lock.bench.mjs).
// Network filesystems, where a call could block, are out of scope for file locks (see README).

const { O_RDONLY, O_NOFOLLOW, O_CREAT, O_EXCL, O_WRONLY } = constants;

/** What is at the lock path right now. */
export type LockFileContent =
  | { kind: 'missing' }
  /** The path is a symlink: we never read or write through it. */
  | { kind: 'symlink' }
  /** `uid`: the file's owner, who wrote the record (a record is created, never edited in place). */
  | { kind: 'file'; text: string; ino: number; mtimeMs: number; uid: number };

/** Inode and mtime of a lock file, to notice cheaply when it changes. */
export interface FileIdentity {
  ino: number;
  mtimeMs: number;
}

/** Reads the lock file without following a symlink planted at its path. */
export function readLockFile(path: string): LockFileContent {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') return { kind: 'symlink' };
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    return { kind: 'file', text: readFileSync(fd, 'utf8'), ino: stat.ino, mtimeMs: stat.mtimeMs, uid: stat.uid };
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `content` to a fresh temp file beside `path` (exclusive create, no symlink follow, mode 0644)
 * and returns its name and identity. The caller links or renames it into place, so readers only ever
 * see a whole record.
 */
export function writeTempFile(path: string, content: string): { temp: string; identity: FileIdentity } {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o644);
  try {
    // No fsync: the record only matters while its writer lives, and a power loss ends the writer
    // (and changes the boot id, which marks the record stale).
    writeSync(fd, content);
    fchmodSync(fd, 0o644); // the umask must not hide the holder from other users' tools
    const stat = fstatSync(fd);
    return { temp, identity: { ino: stat.ino, mtimeMs: stat.mtimeMs } };
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  } finally {
    closeSync(fd);
  }
}

/** Creates `path` as a second name of `temp` only if nothing is there (atomic: EEXIST otherwise). */
export function linkIfAbsent(temp: string, path: string): boolean {
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Atomically replaces whatever is at `path` (a stale record, junk, or a planted symlink itself) with `temp`. */
export function renameIntoPlace(temp: string, path: string): void {
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Inode and mtime of the lock path (not following symlinks), or null when it is gone. */
export function lockFileIdentity(path: string): FileIdentity | null {
  try {
    const stat = lstatSync(path);
    return { ino: stat.ino, mtimeMs: stat.mtimeMs };
  } catch {
    return null;
  }
}

/** The record's instance id if the file at `path` holds one. */
export function instanceIdAt(path: string): string | null {
  const content = readLockFile(path);
  if (content.kind !== 'file') return null;
  const parsed = parseLockFile(content.text);
  return parsed.kind === 'record' ? parsed.record.instanceId : null;
}

/** Removes the lock file if it still holds `instanceId`: a lock we lost belongs to someone else now. */
export function removeIfOurs(path: string, instanceId: string): void {
  if (instanceIdAt(path) !== instanceId) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to clean.
  }
}
