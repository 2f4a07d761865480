import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { waitFor } from '@pm/test-utils';
import { onTestFinished } from 'vitest';

/** True when a tmux binary runs here. */
export function tmuxAvailable(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A real terminal: one tmux pane of a fixed size on a private server (`tmux -L`), running a bare bash.
 * The server is killed when the test ends.
 */
export class TmuxPane {
  private socketPath = '';

  private constructor(private readonly server: string) {}

  /** Opens a `columns`x`rows` pane in `cwd` whose shell runs with `env` (and nothing from ~/.bashrc). */
  static async open(options: { cwd: string; env: Record<string, string>; columns?: number; rows?: number }): Promise<TmuxPane> {
    const pane = new TmuxPane(`pm-test-${process.pid}-${randomBytes(4).toString('hex')}`);
    const env = Object.entries({ PS1: '$ ', ...options.env }).map(([k, v]) => `${k}=${v}`);
    const shell = ['env', '-u', 'NO_COLOR', '-u', 'FORCE_COLOR', ...env, 'bash', '--norc', '--noprofile'];
    const size = ['-x', String(options.columns ?? 80), '-y', String(options.rows ?? 24)];
    pane.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'test', ...size, '-c', options.cwd, shell.map(quote).join(' '));
    pane.socketPath = pane.variable('socket_path');
    onTestFinished(() => pane.kill());
    await pane.waitForScreen((screen) => /^\$\s*$/m.test(screen), 'the shell prompt'); // keys typed before it would be lost
    return pane;
  }

  /** Runs a tmux command against this pane's server and returns its output. */
  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.server, ...args], { encoding: 'utf8' });
  }

  /** Types `text` literally. */
  type(text: string): void {
    this.tmux('send-keys', '-t', 'test', '-l', text);
  }

  /** Presses keys by tmux name (Enter, Up, C-c, j). */
  press(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'test', ...keys);
  }

  /** The screen as text, one line per row; with `escapes`, the SGR codes of every cell too. */
  screen(options: { escapes?: boolean } = {}): string {
    return this.tmux('capture-pane', '-p', '-t', 'test', ...(options.escapes ? ['-e'] : []));
  }

  /** A pane variable such as alternate_on or cursor_flag. */
  variable(name: string): string {
    return this.tmux('display-message', '-p', '-t', 'test', `#{${name}}`).trim();
  }

  /** Waits until the screen satisfies `test` and returns it; on timeout the error shows the last screen. */
  async waitForScreen(test: (screen: string) => boolean, what: string, timeout = 20_000): Promise<string> {
    let last = '';
    try {
      return await waitFor(() => ((last = this.screen()), test(last) ? last : null), { timeout, interval: 50, message: what });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- screen:\n${last}`);
    }
  }

  /** Ends the tmux server (and what runs in it), and removes its socket, which tmux leaves behind. */
  kill(): void {
    try {
      execFileSync('tmux', ['-L', this.server, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    if (this.socketPath) rmSync(this.socketPath, { force: true });
  }
}

function quote(word: string): string {
  return /^[\w./=:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
