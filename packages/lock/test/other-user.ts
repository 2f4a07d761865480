import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { onTestFinished } from 'vitest';

/** Why tests with a second local user cannot run here, or null when they can (root on Linux). */
export const otherUserUnavailable: string | null =
  process.platform !== 'linux'
    ? 'needs Linux (useradd, setpriv)'
    : process.getuid?.() !== 0
      ? 'needs root to create a second local user with useradd'
      : null;

/** A throw-away local user (no home, no login shell), removed by `remove()`. */
export interface LocalUser {
  name: string;
  uid: number;
  gid: number;
  remove(): void;
}

/** Creates a random system user; only as root. */
export function createLocalUser(): LocalUser {
  const name = `pmlock${randomBytes(4).toString('hex')}`;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { name, uid: id('-u'), gid: id('-g'), remove: () => execFileSync('userdel', [name]) };
}

/**
 * Runs a fixture script as `user` (setpriv, no supplementary groups) and resolves with its first
 * stdout line; the process is killed when the test finishes.
 */
export async function runAsUser(user: LocalUser, script: string, args: string[]): Promise<string> {
  // Passed as source text: the test tree need not be readable by that user.
  const child = spawn(
    'setpriv',
    [
      `--reuid=${user.uid}`,
      `--regid=${user.gid}`,
      '--clear-groups',
      process.execPath,
      '--input-type=module',
      '-e',
      readFileSync(script, 'utf8'),
      '--',
      script,
      ...args,
    ],
    { cwd: '/', env: { PATH: process.env.PATH, HOME: '/' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  onTestFinished(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} as ${user.name} exited (${code}) before answering: ${stderr}`)));
  });
}
