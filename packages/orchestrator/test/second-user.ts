import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** A real second local user, created for a test run and removed after (see {@link createSecondUser}). */
export interface SecondUser {
  name: string;
  uid: number;
  gid: number;
  /** Runs `node -e script` as this user; returns stdout, throws with stderr when it fails. */
  node(script: string, args?: string[]): string;
  /** Runs a command as this user and reports how it ended (never throws). */
  run(file: string, args: string[]): { code: number | null; stdout: string; stderr: string };
  /** Deletes the user. */
  remove(): void;
}

const TOOLS = ['useradd', 'userdel', 'setpriv'];

/**
 * Why a second user cannot be made here, or null when it can: it takes Linux, root (useradd) and
 * util-linux's setpriv to act as that user.
 */
export function secondUserUnavailable(): string | null {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return `needs root to create a second user with useradd (running as uid ${process.getuid?.()})`;
  const missing = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  return missing.length > 0 ? `needs ${missing.join(', ')} (apt-get install -y passwd util-linux)` : null;
}

/** Creates a user with a random name (no home, no login shell) and its own group. */
export function createSecondUser(): SecondUser {
  const reason = secondUserUnavailable();
  if (reason) throw new Error(`Cannot create a second user: this test ${reason}.`);
  const name = `pmt${randomBytes(5).toString('hex')}`;
  execFileSync('useradd', ['--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', name]);
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  const uid = id('-u');
  const gid = id('-g');
  const as = (file: string, args: string[]) => ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', '--', file, ...args];
  const env = { PATH: process.env.PATH, HOME: '/' };
  return {
    name,
    uid,
    gid,
    node(script, args = []) {
      const result = spawnSync('setpriv', as(process.execPath, ['-e', script, ...args]), { encoding: 'utf8', env });
      if (result.status !== 0) throw new Error(`node as ${name} failed (${result.status}): ${result.stderr}`);
      return result.stdout;
    },
    run(file, args) {
      const result = spawnSync('setpriv', as(file, args), { encoding: 'utf8', env });
      return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    remove() {
      spawnSync('userdel', [name]);
    },
  };
}
