import { join } from 'node:path';
import { makeTempDir, waitFor } from '@pm/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { StateStore } from '../src/session/state-store.js';
import { persistState, STRAY_CHECK_INTERVAL } from '../src/session/state-sync.js';
import type { AppRecord } from '../src/supervisor/events.js';
import type { Orchestrator } from '../src/supervisor/orchestrator.js';

describe('persistState', () => {
  it('saves within about a second when an app gains a stray, which no event announces', async () => {
    const dir = makeTempDir();
    const store = new StateStore(join(dir, 'state.json'));
    const record: AppRecord = { name: 'app', status: 'running', pid: process.pid, startToken: null, port: null, restarts: 0, startedAt: 0 };
    // The supervisor's side is not under test here: an orchestrator whose records change under it.
    const orchestrator = {
      config: { apps: [{ name: 'app', stop: { signal: 'SIGINT', timeout: 100 } }] },
      records: () => [record],
      on: () => () => undefined,
    } as unknown as Orchestrator;
    const state = persistState(orchestrator, store, join(dir, 'pm.config.json'), { debug() {}, info() {}, warn() {}, error() {} });
    onTestFinished(() => state.close());
    expect(store.load().state!.apps[0]).toMatchObject({ stop: { signal: 'SIGINT', timeout: 100 } });
    record.strays = [{ pid: 4242, token: 'proc:1' }];
    await waitFor(() => store.load().state!.apps[0]!.strays?.length === 1, { timeout: STRAY_CHECK_INTERVAL * 3, message: 'strays saved' });
  });
});
