import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnFixture, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';

// The supervisor protocol, end to end: a real app process with a real IPC channel, the test as
// its parent (the role `pm` plays).
const fixture = (name: string) => join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', name);

function spawnApp(config: object, env: Record<string, string | undefined>) {
  const app = spawnFixture(fixture('announce.mjs'), { args: [JSON.stringify(config)], env, ipc: true });
  const messages: unknown[] = [];
  app.child.on('message', (m) => messages.push(m));
  return { app, messages };
}

describe('announcing to the pm supervisor over IPC', () => {
  it('with an IPC channel and PM_APP_NAME: initializing, then healthy + pm:ready, then shutting_down, in order', async () => {
    const { app, messages } = spawnApp({}, { PM_APP_NAME: 'api' });
    expect((await app.exited).code).toBe(0);
    expect(messages).toEqual([
      { type: 'pm:health', state: 'initializing' },
      { type: 'pm:health', state: 'healthy' },
      { type: 'pm:ready' },
      { type: 'pm:health', state: 'shutting_down' },
    ]);
    expect(app.stdout).toEqual(['created', 'ready', 'shutting down', 'done']);
  });

  it.each([
    ['without PM_APP_NAME', {}, { PM_APP_NAME: undefined }],
    ['with announceToSupervisor: false', { options: { announceToSupervisor: false } }, { PM_APP_NAME: 'api' }],
    ['when the package is only imported', { create: false }, { PM_APP_NAME: 'api' }],
  ])('sends nothing %s', async (_, config, env) => {
    const { app, messages } = spawnApp(config, env);
    expect((await app.exited).code).toBe(0);
    expect(app.stdout.at(-1)).toBe('done');
    expect(messages).toEqual([]);
  });

  it('a channel the parent closed never crashes the app', async () => {
    const { app, messages } = spawnApp({ afterDisconnect: true }, { PM_APP_NAME: 'api' });
    await app.waitForLine('created');
    await waitFor(() => messages.length === 1 || undefined, { message: 'the initializing message' });
    app.child.disconnect();
    // setReady() and setShuttingDown() now run with the channel closed.
    expect((await app.exited).code).toBe(0);
    expect(app.stdout).toEqual(['created', 'disconnected, connected=false', 'ready', 'shutting down', 'done']);
    expect(app.stderr).toEqual([]);
    expect(messages).toEqual([{ type: 'pm:health', state: 'initializing' }]);
  });

  it('a parent killed while the app keeps sending never crashes the app', async () => {
    // The app outlives its parent; it shares the parent's output pipes, so its lines reach us.
    const parent = spawnFixture(fixture('announce-parent.mjs'), { args: [JSON.stringify({ spam: 1_000 })] });
    const pid = Number((await parent.waitForLine(/^app pid \d+$/)).split(' ')[2]);
    expect((await parent.exited).signal).toBe('SIGKILL');
    try {
      // 'done' is printed only after the last send, so a crash mid-way never prints it.
      await waitFor(() => parent.stdout.includes('done') || undefined, { timeout: 10_000, message: 'the orphaned app to finish' });
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone, as expected
      }
    }
    expect(parent.stdout.some((l) => /^changes \d+$/.test(l))).toBe(true);
    expect(parent.stderr).toEqual([]);
  });
});
