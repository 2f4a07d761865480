import { makeTempDir, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { configDefaults, createOrchestrator, type OrchestratorEvent } from '../../src/index.js';
import { fixture } from '../helpers.js';

describe('crash loop with the default settings', () => {
  it('an app that exits at once ends errored within a minute, after maxRestarts + 1 short runs', { timeout: 90_000 }, async () => {
    const dir = makeTempDir();
    // Nothing tuned: no restart, ready or backoff settings at all.
    const orchestrator = createOrchestrator(
      { apps: [{ name: 'crasher', script: fixture('crash.mjs'), env: { CRASH_AFTER: '0' }, cwd: dir }] },
      { logDir: dir },
    );
    const events: OrchestratorEvent[] = [];
    orchestrator.on((event) => events.push(event));
    try {
      const started = Date.now();
      await orchestrator.start().catch(() => undefined); // it exits before it is ready: a failed start
      await waitFor(async () => (await orchestrator.status())[0]?.status === 'errored', {
        timeout: 60_000,
        interval: 200,
        message: 'errored with the default settings',
      });
      const took = Date.now() - started;
      const { maxRestarts } = configDefaults.app.restart;
      expect(events.filter((e) => e.type === 'spawn')).toHaveLength(maxRestarts + 1);
      expect(events.filter((e) => e.type === 'restart')).toHaveLength(maxRestarts);
      expect((events.find((e) => e.type === 'errored') as { reason: string }).reason).toContain(`gave up after ${maxRestarts + 1}`);
      expect(took).toBeLessThan(60_000);
      console.log(`crash loop with the defaults: errored after ${took} ms and ${maxRestarts + 1} runs`);
    } finally {
      await orchestrator.close();
    }
  });
});
