import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { createOrchestrator, type Orchestrator, type OrchestratorEvent, type OrchestratorOptions, type PmConfig } from '../src/index.js';

export const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const fixture = (name: string): string => join(fixtures, name);

/** True while `pid` exists (zombies count as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** SIGKILLs every pid (and its group) still alive: the last line of defence after a test. */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

/**
 * Apps without `ready` get `ready: { announce: 0 }`, ready once spawned: the plain fixtures do not
 * use @pm/health, and a 1.5 s announce window per start only slows the tests that are about
 * something else. Tests of the announce window itself pass `announceWindow: true`.
 */
export function withoutAnnounceWindow<T extends { ready?: unknown }>(apps: T[]): T[] {
  return apps.map((a) => (a.ready === undefined ? { ...a, ready: { announce: 0 } } : a));
}

/** An orchestrator that is closed (and whose processes are killed) when the test finishes. */
export function orchestrate(config: PmConfig, options: OrchestratorOptions & { baseDir: string; announceWindow?: boolean }) {
  const { baseDir, announceWindow = false, ...rest } = options;
  const pids = new Set<number>();
  const events: OrchestratorEvent[] = [];
  const apps = announceWindow ? config.apps : withoutAnnounceWindow(config.apps);
  const orchestrator: Orchestrator = createOrchestrator(
    { ...config, apps: apps.map((a) => ({ cwd: baseDir, ...a })) },
    { logDir: join(baseDir, 'logs'), ...rest },
  );
  orchestrator.on((event) => {
    events.push(event);
    if (event.type === 'spawn') pids.add(event.pid);
  });
  onTestFinished(async () => {
    await orchestrator.close();
    killAll(pids);
  });
  return { orchestrator, events, pids };
}
