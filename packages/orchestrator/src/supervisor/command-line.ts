import type { ResolvedApp } from '../config/resolve.js';
import { withPort } from './probe.js';

/** How one run is spawned. */
export interface CommandLine {
  file: string;
  args: string[];
  /** Run `file` through the shell (a string command). */
  shell: boolean;
  /** Open an IPC channel (script apps, or `ready: 'ipc'`). */
  ipc: boolean;
}

/**
 * The command line of an app for a run on `port` (`${PORT}` substituted in args). A string command
 * takes no separate args: validation refuses them, and {@link argsProblem} catches a hand-built config.
 */
export function commandLine(app: ResolvedApp, port: number | null): CommandLine {
  const args = app.args.map((a) => withPort(a, port));
  if (app.script) return { file: process.execPath, args: [app.script, ...args], shell: false, ipc: true };
  const command = app.command!;
  const ipc = app.ready.kind === 'ipc';
  if (typeof command === 'string') return { file: command, args: [], shell: true, ipc };
  return { file: command[0]!, args: [...command.slice(1).map((a) => withPort(a, port)), ...args], shell: false, ipc };
}

/** Why the app cannot be spawned as configured, or null. Only a ResolvedConfig built by hand gets here (resolveConfig refuses it). */
export function argsProblem(app: ResolvedApp): string | null {
  if (typeof app.command !== 'string' || app.args.length === 0) return null;
  // Never join them unquoted.
  return 'args cannot be given with a string command (run through a shell): put them in the command string, or make command an array';
}
