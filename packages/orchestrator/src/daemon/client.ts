import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DaemonUnreachableError } from '../errors.js';
import type { PmPaths } from './paths.js';
import type { DaemonRequest, DaemonResponse } from './protocol.js';

/** Sends one request to the daemon and resolves with its answer. Rejects with DaemonUnreachableError when no daemon listens. */
export function requestDaemon(socketPath: string, request: DaemonRequest, timeout = 0): Promise<DaemonResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = '';
    let timer: NodeJS.Timeout | undefined;
    if (timeout > 0) timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeout} ms`)), timeout);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (buffer += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new DaemonUnreachableError(`No pm daemon answers at ${socketPath} (${error.code ?? error.message}). Start the stack with \`pm start\`.`, { cause: error }));
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buffer) as DaemonResponse);
      } catch (error) {
        reject(new DaemonUnreachableError(`The pm daemon at ${socketPath} sent an unreadable answer; see its log (.pm/daemon.log).`, { cause: error }));
      }
    });
  });
}

/** True when a daemon answers a ping. */
export async function daemonRunning(paths: PmPaths): Promise<boolean> {
  try {
    return (await requestDaemon(paths.socket, { cmd: 'ping' }, 5000)).ok;
  } catch {
    return false;
  }
}

/** Options of {@link ensureDaemon}. */
export interface EnsureDaemonOptions {
  paths: PmPaths;
  configFile: string;
  /** Script that runs the CLI (its `__daemon` verb starts a daemon). */
  cliScript: string;
  /** Ms to wait for a new daemon to answer. @default 15000 */
  timeout?: number;
  env?: NodeJS.ProcessEnv;
}

/** Starts the project's daemon in the background unless one already answers, and waits until it does. */
export async function ensureDaemon({ paths, configFile, cliScript, timeout = 15_000, env = process.env }: EnsureDaemonOptions): Promise<void> {
  if (await daemonRunning(paths)) return;
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  // The daemon's stray output (a crash trace) goes to a file: it must outlive this terminal.
  const out = openSync(join(paths.home, 'daemon.stderr.log'), 'a', 0o600);
  try {
    const child = spawn(process.execPath, [cliScript, '__daemon', '--config', configFile], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...env, PM_HOME: paths.home },
      windowsHide: true,
    });
    child.unref();
  } finally {
    closeSync(out);
  }
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await daemonRunning(paths)) return;
    await delay(30);
  }
  throw new DaemonUnreachableError(`The pm daemon did not answer within ${timeout} ms. See ${join(paths.home, 'daemon.log')} and daemon.stderr.log.`);
}
