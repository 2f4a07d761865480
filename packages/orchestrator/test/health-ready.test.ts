import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { StartFailedError, type OrchestratorEvent } from '../src/index.js';
import { fixture, orchestrate } from './helpers.js';

// Readiness with no `ready` config, from an app using the real @pm/health (the built package,
// as an app would import it) over the IPC channel pm opens for `script` apps.

const of = <T extends OrchestratorEvent['type']>(events: OrchestratorEvent[], app: string, type: T) =>
  events.filter((e): e is Extract<OrchestratorEvent, { type: T }> => e.app === app && e.type === type);

describe('readiness announced by @pm/health', () => {
  it('an app without ready config stays starting past the announce window until setReady(); its dependent waits', async () => {
    const dir = makeTempDir();
    // Ready at 2.5 s: well after the 1.5 s announce window, so only the announcement can hold it.
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          { name: 'web', script: fixture('sleeper.mjs'), dependsOn: ['api'], ready: { announce: 0 } },
          { name: 'api', script: fixture('health-app.mjs'), env: { READY_AFTER: '2500' } },
        ],
      },
      { baseDir: dir, announceWindow: true },
    );
    const startedAt = Date.now();
    await orchestrator.start();
    const line = readFileSync(join(dir, 'logs', 'api.log'), 'utf8').match(/setReady at (\d+)/);
    expect(line, 'the app called setReady()').not.toBeNull();
    const setReadyAt = Number(line![1]);
    expect(setReadyAt - startedAt).toBeGreaterThanOrEqual(2500);
    const [apiReady] = of(events, 'api', 'ready');
    const [webSpawn] = of(events, 'web', 'spawn');
    expect(apiReady!.time).toBeGreaterThanOrEqual(setReadyAt);
    expect(webSpawn!.time).toBeGreaterThanOrEqual(setReadyAt);
    expect(of(events, 'api', 'health-state').map((e) => e.state)).toEqual(['initializing', 'healthy']);
    // api was never `running` before it was ready
    const apiStatuses = of(events, 'api', 'status').map((e) => e.status);
    expect(new Set(apiStatuses.slice(0, apiStatuses.indexOf('running')))).toEqual(new Set(['starting']));
    expect((await orchestrator.status()).map((s) => [s.name, s.status])).toEqual([
      ['api', 'running'],
      ['web', 'running'],
    ]);

    // On SIGTERM the app's shutdown reaches pm as a health-state event.
    await orchestrator.stop(['api']);
    expect(of(events, 'api', 'health-state').map((e) => e.state)).toEqual(['initializing', 'healthy', 'shutting_down']);
  });

  it('an app that announces but never calls setReady() is a failed start at the ready timeout; its dependent never starts', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      {
        apps: [
          { name: 'web', script: fixture('sleeper.mjs'), dependsOn: ['api'] },
          { name: 'api', script: fixture('health-app.mjs'), ready: { timeout: 3000 }, restart: { policy: 'never' } },
        ],
      },
      { baseDir: dir, announceWindow: true },
    );
    const startedAt = Date.now();
    const error = await orchestrator.start().then(
      () => null,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - startedAt;
    expect(error).toBeInstanceOf(StartFailedError);
    expect((error as StartFailedError).code).toBe('PM_START_FAILED');
    expect(elapsed).toBeGreaterThanOrEqual(2900);
    expect(elapsed).toBeLessThan(15_000);
    expect(of(events, 'api', 'start-failed')).toHaveLength(1);
    expect(of(events, 'api', 'ready')).toHaveLength(0);
    expect(of(events, 'web', 'spawn')).toHaveLength(0);
    expect(of(events, 'api', 'status').map((e) => e.status)).not.toContain('running');
    // start() rejects as the failure is decided; the process is then ended and the policy applied.
    await waitFor(async () => (await orchestrator.status()).find((s) => s.name === 'api')?.status === 'errored', {
      timeout: 10_000,
      message: 'api errored',
    });
  });

  it('a silent script app that exits within the announce window is a failed start, not a run', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      {
        apps: [{ name: 'oneshot', script: fixture('crash.mjs'), env: { EXIT_CODE: '0', CRASH_AFTER: '50' }, restart: { policy: 'never' } }],
      },
      { baseDir: dir, announceWindow: true },
    );
    const error = await orchestrator.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StartFailedError);
    expect(of(events, 'oneshot', 'ready')).toHaveLength(0);
    expect(of(events, 'oneshot', 'start-failed')[0]?.reason).toMatch(/before it was ready/);
  });

  it('a script app that never announces is ready when the window ends; after a crash it is back at once', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      { apps: [{ name: 'plain', script: fixture('sleeper.mjs'), ready: { announce: 800 }, restart: { minUptime: 100 } }] },
      { baseDir: dir, announceWindow: true },
    );
    const startedAt = Date.now();
    await orchestrator.start();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(800);
    const [first] = await orchestrator.status();
    process.kill(first!.pid!, 'SIGKILL');
    // The silent first run taught pm that this app does not announce: no window on the restart.
    const ready = await new Promise<number>((resolve) => orchestrator.on((e) => e.type === 'ready' && resolve(e.time)));
    const [spawn] = of(events, 'plain', 'spawn').slice(-1);
    expect(ready - spawn!.time).toBeLessThan(500);
    expect(of(events, 'plain', 'health-state')).toHaveLength(0);
  });
});
