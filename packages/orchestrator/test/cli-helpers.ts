import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, sleep } from '@pm/test-utils';
import { onTestFinished } from 'vitest';
import { alive, killAll, withoutAnnounceWindow } from './helpers.js';

export const pmBin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'pm.js');

/** Result of one `pm` invocation. */
export interface PmResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/pm.js <args>` in `cwd` and collects its output. */
export function pm(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; timeout?: number },
): Promise<PmResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [pmBin, ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
        timeout: options.timeout ?? 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Starts `pm <args>` as a long-running child (for `pm run`, `pm logs -f`), killed when the test ends. */
export function pmChild(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [pmBin, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return Object.assign(child, { output: () => out });
}

/** Pids a project's daemon and state file know about. */
export function projectPids(dir: string): { daemon: number | null; apps: number[] } {
  const home = join(dir, '.pm');
  let daemon: number | null = null;
  try {
    daemon = (JSON.parse(readFileSync(join(home, 'daemon.pid'), 'utf8')) as { pid: number }).pid;
  } catch {
    // no daemon record
  }
  const apps: number[] = [];
  for (const file of ['state.json', 'state.json.prev']) {
    try {
      for (const app of (JSON.parse(readFileSync(join(home, file), 'utf8')) as { apps: { pid: number | null }[] }).apps)
        if (app.pid) apps.push(app.pid);
    } catch {
      // none
    }
  }
  return { daemon, apps };
}

/**
 * A temp project with a pm.config.json; when the test ends its stack is stopped and every process
 * the daemon or state recorded (plus `extraPids`) is SIGKILLed with its group.
 */
export function makeProject(config: unknown): { dir: string; extraPids: Set<number> } {
  const dir = makeTempDir('pm-cli-');
  // Ready once spawned unless a test says otherwise (see withoutAnnounceWindow).
  const apps = (config as { apps?: unknown }).apps;
  const written = Array.isArray(apps) ? { ...(config as object), apps: withoutAnnounceWindow(apps as { ready?: unknown }[]) } : config;
  writeFileSync(join(dir, 'pm.config.json'), JSON.stringify(written, null, 2));
  const extraPids = new Set<number>();
  onTestFinished(async () => {
    const before = projectPids(dir);
    if (existsSync(join(dir, '.pm'))) await pm(['stop', 'all'], { cwd: dir, timeout: 20_000 });
    const after = projectPids(dir);
    const all = new Set([...before.apps, ...after.apps, ...extraPids]);
    killAll(all);
    for (const d of [before.daemon, after.daemon]) if (d && alive(d)) killAll([d]);
    for (let i = 0; i < 50 && [...all].some(alive); i++) await sleep(20);
  });
  return { dir, extraPids };
}

/** `pm start` that must succeed; a failure shows the CLI's output. */
export async function pmStart(dir: string): Promise<PmResult> {
  const result = await pm(['start'], { cwd: dir });
  if (result.code !== 0) throw new Error(`pm start exited ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result;
}
