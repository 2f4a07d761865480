import { existsSync, lstatSync, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UnsafePathError } from '../errors.js';

const STICKY = 0o1000;
const WRITABLE_BY_OTHERS = 0o022;

const modeOf = (stat: Stats): string => (stat.mode & 0o7777).toString(8).padStart(4, '0');
const othersCanWrite = (stat: Stats): boolean => (stat.mode & WRITABLE_BY_OTHERS) !== 0;
const sticky = (stat: Stats): boolean => (stat.mode & STICKY) !== 0;

/** The folders above `path`, nearest first, up to the root. */
function parentsOf(path: string): string[] {
  const parents: string[] = [];
  for (let current = path, parent = dirname(path); parent !== current; current = parent, parent = dirname(parent)) parents.push(parent);
  return parents;
}

/**
 * Throws unless `dir` is a folder pm may keep its files in: ours, and if other users can write it, sticky
 * (then they can add names but never rename or remove ours; every file pm opens there refuses symlinks
 * and other users' files, see own-file.ts).
 */
function checkOwnFolder(dir: string, stat: Stats, me: number, role: string): void {
  const fix = `Set PM_HOME to a folder of your own, or remove ${dir} so pm creates it (mode 0700).`;
  if (!stat.isDirectory()) throw new UnsafePathError(dir, `${role} is not a folder`, fix);
  if (stat.uid !== me)
    throw new UnsafePathError(dir, `${role} belongs to uid ${stat.uid}, not to you (uid ${me}), who could swap pm's files in it`, fix);
  if (othersCanWrite(stat) && !sticky(stat)) {
    throw new UnsafePathError(
      dir,
      `other users can write ${role} (mode ${modeOf(stat)}, no sticky bit), so they could plant symlinks or files under pm's names`,
      `Run \`chmod 700 ${dir}\` (or \`chmod +t ${dir}\` to keep it shared), or set PM_HOME to a folder only you can write.`,
    );
  }
}

/**
 * Throws when a folder above PM_HOME lets another user replace PM_HOME: writable by others without the
 * sticky bit, or sticky but owned by someone else (who may then remove anything in it). A parent owned by
 * another user who alone can write it is trusted: root running a project of uid 1000 in a container is common.
 */
function checkParent(parent: string, home: string, me: number): void {
  const stat = statSync(parent);
  if (!othersCanWrite(stat)) return;
  if (sticky(stat) && (stat.uid === me || stat.uid === 0)) return;
  throw new UnsafePathError(
    parent,
    `it is a folder above PM_HOME (${home}) that other users can write (mode ${modeOf(stat)}, owner uid ${stat.uid}), so they could replace PM_HOME`,
    `Run \`chmod go-w ${parent}\`, or set PM_HOME to a folder below one only you (or root) can write.`,
  );
}

/** A symlink on the way to PM_HOME must be ours or root's: its owner can point it elsewhere at any time. */
function checkLink(path: string, home: string, me: number): void {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch {
    return; // not there (yet)
  }
  if (!stat.isSymbolicLink() || stat.uid === me || stat.uid === 0) return;
  throw new UnsafePathError(
    path,
    `it is a symlink on the way to ${home} owned by uid ${stat.uid}, who can point it at a folder of theirs`,
    'Set PM_HOME to the real folder (a path without this link), or remove the link.',
  );
}

/** Checks the symlinks and folders above `path` (those that exist), as written and as resolved. */
function checkWay(path: string, me: number): void {
  const written = parentsOf(path).filter((parent) => existsSync(parent));
  for (const parent of written) checkLink(parent, path, me);
  const resolved = written.length > 0 ? parentsOf(join(realpathSync(written[0]!), 'x')) : [];
  for (const parent of new Set([...written, ...resolved])) checkParent(parent, path, me);
}

/**
 * Creates `dir` (mode 0700) when missing and throws an {@link UnsafePathError} unless only this user can
 * change what it holds: see {@link ensurePmHome}. `role` names it in the message ("PM_HOME", "the logs folder").
 * The folders above are checked before anything is created (unless `checkParents` is false, for a folder
 * inside one already checked). A no-op on Windows (no uids; the folder's ACL decides).
 */
export function ensureOwnFolder(dir: string, role: string, options: { checkParents?: boolean } = {}): void {
  const me = process.getuid?.();
  const path = resolve(dir);
  const checkParents = options.checkParents ?? true;
  if (me !== undefined && checkParents) checkWay(path, me);
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (me === undefined) return;
  checkLink(path, path, me);
  // Again with the folders just created, and through PM_HOME's own real path (it may be a symlink of ours).
  if (checkParents) checkWay(path, me);
  const real = realpathSync(path);
  if (checkParents) for (const parent of parentsOf(real)) checkParent(parent, path, me);
  checkOwnFolder(path, statSync(real), me, role);
}

/**
 * Makes sure PM_HOME and its logs folder are safe to write in before pm opens anything there: each is
 * created 0700 when missing; an existing one must be ours, and if other users can write it, sticky; no
 * folder above may let another user replace it, and no symlink on the way may belong to another user.
 * Throws {@link UnsafePathError} naming the folder, the problem and the fix.
 */
export function ensurePmHome(paths: { home: string; logs: string }): void {
  ensureOwnFolder(paths.home, 'PM_HOME');
  // Inside a checked PM_HOME: only the folder itself needs checking (it may have been made before, by anyone).
  ensureOwnFolder(paths.logs, 'the logs folder in PM_HOME', { checkParents: false });
}
