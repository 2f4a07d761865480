import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DaemonUnreachableError } from '../errors.js';
import { openOwnFile, readOwnFile } from '../safe-fs/own-file.js';
import { ensurePmHome } from '../safe-fs/safe-folder.js';
import { stopHint, supervisorHolder } from '../session/lock.js';
import type { PmPaths } from './paths.js';
import { assertOwnSocket } from './private-dir.js';
import type { DaemonRequest, DaemonResponse } from './protocol.js';

/** Sends one request to the daemon and resolves with its answer. Rejects with DaemonUnreachableError when no daemon listens. */
export function requestDaemon(socketPath: string, request: DaemonRequest, timeout = 0): Promise<DaemonResponse> {
  return new Promise((resolve, reject) => {
    assertOwnSocket(socketPath);
    const socket = connect(socketPath);
    let buffer = '';
    let timer: NodeJS.Timeout | undefined;
    if (timeout > 0) timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeout} ms`)), timeout);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (buffer += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new DaemonUnreachableError(
          `No pm daemon answers at ${socketPath} (${error.code ?? error.message}). Start the stack with \`pm start\`.`,
          { cause: error },
        ),
      );
    });
    socket.on('end', () => {
      clearTimeout(timer);
      let answer: unknown;
      try {
        answer = JSON.parse(buffer);
      } catch (error) {
        answer = error;
      }
      if (isDaemonResponse(answer)) return resolve(answer);
      reject(
        new DaemonUnreachableError(`The pm daemon at ${socketPath} sent an unreadable answer; see its log (.pm/daemon.log).`, {
          cause: answer instanceof Error ? answer : undefined,
        }),
      );
    });
  });
}

/** The shape every daemon answer has (`ok`, and an `error` with a code when not ok); anything else is unreadable. */
function isDaemonResponse(value: unknown): value is DaemonResponse {
  if (typeof value !== 'object' || value === null || typeof (value as { ok?: unknown }).ok !== 'boolean') return false;
  const { ok, error } = value as { ok: boolean; error?: { code?: unknown } };
  return ok || (typeof error === 'object' && error !== null && typeof error.code === 'string');
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
export async function ensureDaemon({
  paths,
  configFile,
  cliScript,
  timeout = 15_000,
  env = process.env,
}: EnsureDaemonOptions): Promise<void> {
  if (await daemonRunning(paths)) return;
  const holder = await supervisorHolder(paths);
  if (holder?.mode === 'run') {
    throw new DaemonUnreachableError(
      `A foreground \`pm run\` (PID ${holder.pid}) supervises this project: use it, or stop it (Ctrl-C in its terminal, or ${stopHint(holder)}) before \`pm start\`.`,
    );
  }
  ensurePmHome(paths); // a clear refusal here, before the daemon would fail on it
  // The daemon's stray output (a crash trace) goes to a file: it must outlive this terminal.
  const errFile = join(paths.home, 'daemon.stderr.log');
  const out = openOwnFile(errFile, 'append', { mode: 0o600 });
  let exited: number | string | null = null;
  try {
    const child = spawn(process.execPath, [cliScript, '__daemon', '--config', configFile], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...env, PM_HOME: paths.home },
      windowsHide: true,
    });
    child.once('exit', (code, signal) => (exited = code ?? signal));
    child.unref();
  } finally {
    closeSync(out);
  }
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await daemonRunning(paths)) return;
    // A daemon that lost the race to another one exits 0 while the winner comes up: keep asking.
    if (exited !== null && exited !== 0) break;
    await delay(30);
  }
  const why = exited !== null && exited !== 0 ? `exited (${exited}) before answering` : `did not answer within ${timeout} ms`;
  throw new DaemonUnreachableError(`The pm daemon ${why}. Its logs:\n${tail(join(paths.home, 'daemon.log'))}${tail(errFile)}`);
}

/** The last lines of a log file, for an error message. */
function tail(file: string, lines = 10): string {
  try {
    const text = readOwnFile(file).trimEnd();
    return text ? `--- ${file}\n${text.split('\n').slice(-lines).join('\n')}\n` : '';
  } catch {
    return '';
  }
}
