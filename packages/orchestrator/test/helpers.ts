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

/** An orchestrator that is closed (and whose processes are killed) when the test finishes. */
export function orchestrate(config: PmConfig, options: OrchestratorOptions & { baseDir: string }) {
  const { baseDir, ...rest } = options;
  const pids = new Set<number>();
  const events: OrchestratorEvent[] = [];
  const orchestrator: Orchestrator = createOrchestrator(
    { ...config, apps: config.apps.map((a) => ({ cwd: baseDir, ...a })) },
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
