import { render } from 'ink';
import { createElement as h } from 'react';
import type { AppStatusInfo } from '../supervisor/events.js';
import { MonitView } from './view.js';

/** Options of {@link runMonit}. */
export interface RunMonitOptions {
  /** The project's daemon socket (`PmPaths.socket`). */
  socket: string;
  /** The folder of the per-app logs (`PmPaths.logs`). */
  logs: string;
  /** Name shown in the header: the project's folder. */
  project: string;
  /** Status of every app, read before the first frame. */
  initial: AppStatusInfo[];
  /** Colours and inverse video; false draws no SGR code at all (NO_COLOR, TERM=dumb). */
  color: boolean;
  /** Keys come from here; must be a TTY (raw mode). */
  stdin: NodeJS.ReadStream;
  /** The terminal drawn on; must be a TTY. */
  stdout: NodeJS.WriteStream;
  /** Where Ink reports its own errors. */
  stderr: NodeJS.WriteStream;
}

// The alternate screen, as full-screen programs (less, htop) use: what was on the terminal comes back on quit.
const ENTER_ALT_SCREEN = '\u001b[?1049h';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';

/** Draws the monit view until q, Ctrl-C, SIGINT, SIGTERM or SIGHUP, then gives the terminal back as it was. Resolves with 0. */
export async function runMonit(options: RunMonitOptions): Promise<number> {
  const { stdout } = options;
  stdout.write(ENTER_ALT_SCREEN);
  const instance = render(
    h(MonitView, { socket: options.socket, logs: options.logs, project: options.project, initial: options.initial, color: options.color }),
    { stdin: options.stdin, stdout, stderr: options.stderr, exitOnCtrlC: true, patchConsole: false },
  );
  // A signal ends the view like q does, so the screen and the terminal's mode are restored before exit.
  // SIGINT too: until Ink has put the terminal in raw mode (an effect after the first frame), Ctrl-C is a signal.
  const quit = () => instance.unmount();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, quit);
  try {
    await instance.waitUntilExit();
  } finally {
    for (const signal of signals) process.off(signal, quit);
    stdout.write(LEAVE_ALT_SCREEN);
  }
  return 0;
}
