import { randomBytes } from 'node:crypto';
import { parseLockFile } from '../record.js';
import { constants, promises as fs, unlinkSync, openSync, closeSync, fstatSync, readSync } from 'node:fs';

const { O_RDONLY, O_NOFOLLOW, O_CREAT, O_EXCL, O_WRONLY } = constants;

/** What is at the lock path right now. */
export type LockFileContent =
  | { kind: 'missing' }
  /** The path is a symlink: we never read or write through it. */
  | { kind: 'symlink' }
  | { kind: 'file'; text: string; ino: number; mtimeMs: number };

/** Reads the lock file without following a symlink planted at its path. */
export async function readLockFile(path: string): Promise<LockFileContent> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, O_RDONLY | O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') return { kind: 'symlink' };
    throw error;
  }
  try {
    const [stat, text] = await Promise.all([handle.stat(), handle.readFile('utf8')]);
    return { kind: 'file', text, ino: stat.ino, mtimeMs: stat.mtimeMs };
  } finally {
    await handle.close();
  }
}

/** Synchronous twin of {@link readLockFile}'s text, for `process.on('exit')`. */
export function readLockFileTextSync(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.alloc(Math.min(fstatSync(fd).size, 1 << 20));
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `content` to a fresh temp file beside `path` (exclusive create, no symlink follow, mode 0644).
 * The caller then links or renames it into place, so readers only ever see a whole record.
 */
export async function writeTempFile(path: string, content: string): Promise<string> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await fs.open(temp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o644);
  try {
    // No fsync: the record only matters while its writer lives, and a power loss ends the writer
    // (and changes the boot id, which marks the record stale).
    await handle.writeFile(content);
    await handle.chmod(0o644); // the umask must not hide the holder from other users' `pm status`
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  return temp;
}

/** Creates `path` from `temp` only if nothing is there (atomic: link fails with EEXIST). Removes `temp`. */
export async function linkIntoPlace(temp: string, path: string): Promise<boolean> {
  try {
    await fs.link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** Atomically replaces whatever is at `path` (a stale record, junk, or a planted symlink itself) with `temp`. */
export async function renameIntoPlace(temp: string, path: string): Promise<void> {
  try {
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Inode and mtime of the lock path (not following symlinks), or null when it is gone. */
export async function lockFileIdentity(path: string): Promise<{ ino: number; mtimeMs: number } | null> {
  try {
    const stat = await fs.lstat(path);
    return { ino: stat.ino, mtimeMs: stat.mtimeMs };
  } catch {
    return null;
  }
}

/** Removes the lock file if it still holds `instanceId`; synchronous, for process exit. */
export function removeIfOursSync(path: string, instanceId: string): void {
  const text = readLockFileTextSync(path);
  if (text === null) return;
  const parsed = parseLockFile(text);
  if (parsed.kind !== 'record' || parsed.record.instanceId !== instanceId) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to clean.
  }
}
