import { statSync } from 'node:fs';
import type { ResolvedApp } from '../config/resolve.js';

// Why a run could not be started, worded for the user: what is wrong and how to fix it. These
// reasons go to the `start-failed` event, the StartFailedError and the app's log file.

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

const FD_HINT = 'pm retries with backoff; close other programs or raise the limit (`ulimit -n`, LimitNOFILE= for a service)';

/**
 * Why the app's working folder cannot be used, or null. Checked before spawning, since a missing
 * `cwd` makes the spawn fail with a bare `spawn <command> ENOENT` that blames the command.
 */
export function cwdProblem(app: ResolvedApp): string | null {
  const fix = `create it, or fix \`cwd\` of app '${app.name}' in the config (a relative cwd is resolved against the config file's folder)`;
  try {
    if (statSync(app.cwd).isDirectory()) return null;
    return `its working folder ${app.cwd} is not a folder: ${fix}`;
  } catch (error) {
    if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return `its working folder ${app.cwd} does not exist: ${fix}`;
    if (code(error) === 'EACCES')
      return `its working folder ${app.cwd} cannot be entered (EACCES): give this user access to it, or change \`cwd\``;
    return null; // anything else (EMFILE …): let the spawn try and report what it meets
  }
}

/** Why opening the app's log file for a run failed. */
export function logOpenProblem(error: unknown, path: string): string {
  // pm's own refusals (PM_UNSAFE_PATH: a symlink or a foreign file planted there) say what and how already.
  if (code(error)?.startsWith('PM_')) return `cannot open its log file: ${(error as Error).message}`;
  const reason = `cannot open its log file ${path} (${code(error) ?? (error as Error).message})`;
  if (code(error) === 'EMFILE' || code(error) === 'ENFILE') return `${reason}: too many open files; ${FD_HINT}`;
  if (code(error) === 'ENOSPC') return `${reason}: the disk is full; free space (pm retries with backoff)`;
  return `${reason}: check that the folder exists and this user can write it`;
}

/** Why spawning `file` failed (what `spawn` threw or emitted as `error`). */
export function spawnProblem(error: unknown, file: string): string {
  switch (code(error)) {
    case 'ENOENT':
      return `command '${file}' was not found (spawn ENOENT): check the command, or add its folder to PATH`;
    case 'EACCES':
      return `command '${file}' cannot be run (spawn EACCES): make it executable, or check the command`;
    case 'EMFILE':
    case 'ENFILE':
      return `cannot spawn '${file}': too many open files (${code(error)}); ${FD_HINT}`;
    case 'EAGAIN':
      return `cannot spawn '${file}': the system refused a new process (EAGAIN: process limit or memory); pm retries with backoff`;
    default:
      return `cannot spawn '${file}': ${(error as Error).message}`;
  }
}
