import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import type { ResolvedApp } from '../config/resolve.js';
import { commandLine } from './command-line.js';
import type { AppLogFile } from './log-file.js';
import { cwdProblem, logOpenProblem, spawnProblem } from './spawn-problems.js';

/** What {@link spawnApp} needs. */
export interface SpawnAppOptions {
  app: ResolvedApp;
  /** The environment the app inherits (its own `env`, `PM_APP_NAME` and `PORT` go over it). */
  env: NodeJS.ProcessEnv;
  port: number | null;
  log: AppLogFile;
  /** Called when the spawn fails after returning (`spawn` emits `error`: command not found, EMFILE …). */
  onLateFailure(problem: string): void;
}

/**
 * Spawns one run of the app in its own process group, its output going straight to its log file
 * (opened per run, closed here once the child holds it). Returns the child with a pid, or, when
 * no process could be started, why (worded for the user), or null when the reason comes later
 * through `onLateFailure`. Never throws.
 */
export function spawnApp({
  app,
  env: base,
  port,
  log,
  onLateFailure,
}: SpawnAppOptions): { child: ChildProcess; ipc: boolean } | string | null {
  const { file, args, shell, ipc } = commandLine(app, port);
  const env: NodeJS.ProcessEnv = { ...base, ...app.env, PM_APP_NAME: app.name };
  if (port !== null) env.PORT = String(port);
  const cwd = cwdProblem(app);
  if (cwd) return cwd;
  let fd: number;
  try {
    fd = log.openForChild(`--- pm: ${app.name} starting at ${new Date().toISOString()} ---`);
  } catch (error) {
    return logOpenProblem(error, log.path);
  }
  try {
    const child = spawn(file, args, {
      cwd: app.cwd,
      env,
      shell,
      detached: true, // own process group, so a stop reaches the whole tree and Ctrl-C in `pm run` does not
      stdio: ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd],
      windowsHide: true,
    });
    if (child.pid !== undefined) return { child, ipc };
    child.once('error', (error) => onLateFailure(spawnProblem(error, file)));
    return null;
  } catch (error) {
    return spawnProblem(error, file);
  } finally {
    closeSync(fd);
  }
}
