import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { UnsafePathError } from '../errors.js';

// Written here rather than with write-file-atomic or atomically: both resolve a symlink at the target and
// write through it, and name their temp file from a hash of the pid and a counter that anyone can compute.

const { O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_CREAT, O_EXCL } = constants;
/** Refuses a symlink as the last component (ELOOP). Absent on Windows, where pm does not share folders. */
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/** A FIFO planted under a log's name would block open() forever; on a regular file the flag changes nothing. */
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

const ACCESS = {
  /** Append-only writes (logs), created when missing. */
  append: O_WRONLY | O_APPEND | O_CREAT,
  /** Reads of an existing file. */
  read: O_RDONLY,
  /** Read and write of an existing file (log rotation: copy, then truncate). */
  update: O_RDWR,
} as const;

/** How {@link openOwnFile} opens a file. */
export type OwnFileAccess = keyof typeof ACCESS;

const myUid = (): number | undefined => process.getuid?.();

const REMOVE_FIX = 'Remove it (pm recreates it), and keep PM_HOME a folder only you can write (chmod 700), or set PM_HOME to one.';

function kind(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Throws unless `fd` (just opened from `path`) is a regular file of this user with a single name, that no
 * other user can write: anything else was planted (another uid's file, a FIFO, a hard link to a file
 * elsewhere) or could be fed to us by someone else while we use it.
 */
export function assertOwnFile(fd: number, path: string): void {
  const stat = fstatSync(fd);
  const me = myUid();
  if (!stat.isFile()) throw new UnsafePathError(path, `it is ${kind(stat)}, where pm keeps a regular file`, REMOVE_FIX);
  if (me === undefined) return; // Windows: no uids; the folder's ACL decides
  if (stat.uid !== me) throw new UnsafePathError(path, `it belongs to uid ${stat.uid}, not to you (uid ${me})`, REMOVE_FIX);
  if (stat.nlink > 1)
    throw new UnsafePathError(path, `it has ${stat.nlink} hard links, so writing it would change a file elsewhere`, REMOVE_FIX);
  if ((stat.mode & 0o022) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new UnsafePathError(path, `other users can write it (mode ${mode})`, `Remove it or run \`chmod 600 ${path}\`.`);
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function translate(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  // O_NOFOLLOW on a symlink: ELOOP on Linux, EMLINK on FreeBSD, EFTYPE on NetBSD.
  if (code === 'ELOOP' || code === 'EMLINK' || code === 'EFTYPE') {
    return new UnsafePathError(path, 'it is a symlink, where pm keeps a regular file', REMOVE_FIX, { cause: error });
  }
  // O_CREAT on another user's name in a sticky folder: Linux refuses (EACCES) what it would follow or reuse.
  if (code === 'EACCES') {
    const stat = lstatOrNull(path);
    if (stat?.isSymbolicLink())
      return new UnsafePathError(path, 'it is a symlink, where pm keeps a regular file', REMOVE_FIX, { cause: error });
    const me = myUid();
    if (stat && me !== undefined && stat.uid !== me) {
      return new UnsafePathError(path, `it belongs to uid ${stat.uid}, not to you (uid ${me})`, REMOVE_FIX, { cause: error });
    }
  }
  // A FIFO with no reader, opened for writing without blocking.
  if (code === 'ENXIO') {
    const stat = lstatOrNull(path);
    if (stat && !stat.isFile())
      return new UnsafePathError(path, `it is ${kind(stat)}, where pm keeps a regular file`, REMOVE_FIX, { cause: error });
  }
  if (code === 'EEXIST')
    return new UnsafePathError(path, 'something already has this name, and pm only creates new files here', REMOVE_FIX, { cause: error });
  return error;
}

/** Options of {@link openOwnFile}. */
export interface OpenOwnFileOptions {
  /** Mode of a file the open creates (the umask applies; an existing file keeps its mode, which must not let others write). @default 0o600 */
  mode?: number;
  /** Fail when the name exists (O_EXCL): for a name pm has just moved away, so anything there now was planted. @default false */
  exclusive?: boolean;
}

/**
 * Opens a file in PM_HOME without ever following a symlink (O_NOFOLLOW) or blocking on a FIFO, then
 * checks what was opened ({@link assertOwnFile}); the descriptor is closed and an {@link UnsafePathError}
 * thrown when the check fails. Other open errors (ENOENT, EACCES, EMFILE) are thrown as they are.
 */
export function openOwnFile(path: string, access: OwnFileAccess, options: OpenOwnFileOptions = {}): number {
  const flags = ACCESS[access] | O_NOFOLLOW | O_NONBLOCK | (options.exclusive ? O_EXCL | O_CREAT : 0);
  let fd: number;
  try {
    fd = openSync(path, flags, options.mode ?? 0o600);
  } catch (error) {
    throw translate(error, path);
  }
  try {
    assertOwnFile(fd, path);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/**
 * Creates `path` as a new file (O_CREAT | O_EXCL, which never follows a symlink and fails on any existing
 * name) with exactly `mode`, whatever the umask. Returns the descriptor, open for writing.
 */
export function createOwnFile(path: string, mode = 0o600): number {
  let fd: number;
  try {
    fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  } catch (error) {
    throw translate(error, path);
  }
  try {
    fchmodSync(fd, mode);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/**
 * A fresh name next to `file` for a temp file: random, so another user who can write the folder cannot
 * plant something under it in advance (the pid alone is predictable).
 */
export function tempNameFor(file: string): string {
  return `${file}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`;
}

/** Reads a file of this user as text, refusing anything {@link openOwnFile} refuses. */
export function readOwnFile(path: string): string {
  const fd = openOwnFile(path, 'read');
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
