import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { onTestFinished } from 'vitest';

/** How a fixture process ended. */
export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link spawnFixture}. */
export interface SpawnFixtureOptions {
  /** Arguments after the script path. @default [] */
  args?: string[];
  /** Extra environment variables, merged over `process.env`. @default {} */
  env?: Record<string, string | undefined>;
  /** Working directory. @default process.cwd() */
  cwd?: string;
  /** Open an IPC channel (for `process.send`). @default false */
  ipc?: boolean;
  /** Node flags placed before the script. @default [] */
  nodeArgs?: string[];
  /** Start the child in its own process group. @default false */
  detached?: boolean;
}

/** A running fixture script with helpers to read its output and end it. */
export interface FixtureProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every stdout line seen so far. */
  readonly stdout: string[];
  /** Every stderr line seen so far. */
  readonly stderr: string[];
  /** Resolves with the first stdout line matching `pattern` (including lines already seen). */
  waitForLine(pattern: RegExp | string, timeout?: number): Promise<string>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitResult>;
  /** Sends a signal (default SIGTERM) if the process is still running. */
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Runs `node <script>` as a real child process, collecting its output line by line.
 * The process is SIGKILLed when the current test finishes if it is still running.
 */
export function spawnFixture(script: string, options: SpawnFixtureOptions = {}): FixtureProcess {
  const stdio: ('pipe' | 'ipc')[] = options.ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio,
    detached: options.detached ?? false,
  });
  if (child.pid === undefined) throw new Error(`Could not spawn fixture ${script}`);

  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ test: (line: string) => boolean; resolve: (line: string) => void }>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdout.push(line);
    for (const waiter of waiters) {
      if (waiter.test(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));

  let running = true;
  const exited = new Promise<ExitResult>((resolve) => {
    child.on('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  onTestFinished(() => {
    if (running) child.kill('SIGKILL');
  });

  const matcher = (pattern: RegExp | string) => (line: string) =>
    typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line);

  return {
    child,
    pid: child.pid,
    stdout,
    stderr,
    exited,
    kill(signal = 'SIGTERM') {
      if (running) child.kill(signal);
    },
    waitForLine(pattern, timeout = 10_000) {
      const test = matcher(pattern);
      const seen = stdout.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const waiter = {
          test,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `Timed out after ${timeout} ms waiting for ${String(pattern)} from ${script}.\n` +
                `stdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`,
            ),
          );
        }, timeout);
        waiters.add(waiter);
        void exited.then(() => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(
            new Error(`${script} exited before printing ${String(pattern)}.\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`),
          );
        });
      });
    },
  };
}
