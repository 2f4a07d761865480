import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

/** Where a project's daemon keeps its files. */
export interface PmPaths {
  /** PM_HOME: `<project>/.pm` unless env PM_HOME is set. */
  home: string;
  /** @pm/lock record of the daemon. */
  lock: string;
  /** Unix socket the CLI talks to (mode 0600, in a 0700 folder of this user). */
  socket: string;
  /** Persisted app records. */
  state: string;
  /** Per-app log files. */
  logs: string;
  /** The daemon's own log (rotated). */
  daemonLog: string;
  /** Dashboard/control API token and port (mode 0600). */
  control: string;
}

// sockaddr_un holds about 104-108 bytes: a deep project path gets a short socket path in the temp folder instead.
const SOCKET_PATH_MAX = 100;

/** The files of the project whose config lives in `projectDir`. */
export function pmPaths(projectDir: string, env: NodeJS.ProcessEnv = process.env): PmPaths {
  const home = env.PM_HOME ? resolve(env.PM_HOME) : join(resolve(projectDir), '.pm');
  let socket = join(home, 'daemon.sock');
  if (process.platform === 'win32') {
    socket = `\\\\.\\pipe\\pm-${createHash('sha256').update(home).digest('hex').slice(0, 16)}`;
  } else if (Buffer.byteLength(socket) > SOCKET_PATH_MAX) {
    // In a folder of this user's own (made 0700 by the daemon), never straight in the shared temp folder,
    // where any local user could create the predictable name first. Always /tmp, never $TMPDIR or
    // $XDG_RUNTIME_DIR: every shell, cron job and sudo must compute the same path for the same project.
    socket = join('/tmp', `pm-${process.getuid?.() ?? 'user'}`, `${createHash('sha256').update(home).digest('hex').slice(0, 16)}.sock`);
  }
  return {
    home,
    lock: join(home, 'daemon.pid'),
    socket,
    state: join(home, 'state.json'),
    logs: join(home, 'logs'),
    daemonLog: join(home, 'daemon.log'),
    control: join(home, 'control.json'),
  };
}
