import { render } from 'ink';
import { createElement as h } from 'react';
import type { AppStatusInfo } from '../supervisor/events.js';
import { MonitView } from './view.js';

/** Options of {@link runMonit}. */
export interface RunMonitOptions {
  socket: string;
  logs: string;
  project: string;
  initial: AppStatusInfo[];
  color: boolean;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
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
