import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { DaemonUnreachableError } from '../errors.js';

const uid = (): number | undefined => process.getuid?.();

/**
 * Makes `dir` a folder only this user can enter (0700), creating it when missing. The daemon's socket
 * lives in it, so no other local user can connect to the daemon or put a socket of theirs in its place.
 * Throws when the path is a symlink or a folder of another user: it was planted, or is shared.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  const me = uid();
  if (!stat.isDirectory() || (me !== undefined && stat.uid !== me)) {
    throw new Error(
      `${dir} must be a folder owned by you (uid ${me}), but it is ${stat.isSymbolicLink() ? 'a symlink' : `owned by uid ${stat.uid}`}. ` +
        'Remove it, or point PM_HOME at a folder of your own.',
    );
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * Refuses to talk through a socket another user owns: a daemon of someone else (or an impostor listening
 * where ours would be) must never receive our commands or feed us answers. A missing socket passes:
 * connecting to it then fails with the usual "no daemon" error.
 */
export function assertOwnSocket(socketPath: string): void {
  const me = uid();
  if (me === undefined) return; // Windows named pipes: the pipe's ACL decides
  let owner: number;
  try {
    owner = lstatSync(socketPath).uid;
  } catch {
    return;
  }
  if (owner !== me) {
    throw new DaemonUnreachableError(
      `The pm socket ${socketPath} belongs to uid ${owner}, not to you (uid ${me}); refusing to use it. ` +
        'Remove it if it is stale, or set PM_HOME to a folder of your own.',
    );
  }
}
