import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, spawnFixture, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { acquireInstanceLock, fileBackend } from '../src/index.js';
import { fixture, startHolder } from './helpers.js';

// A taker that dies in the middle of a takeover must not wedge the lock.
describe('a taker crashing mid-takeover', () => {
  it('socket: a taker SIGKILLed while holding the mutex frees it at once', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const holder = await startHolder(path, 'socket');
    holder.kill('SIGKILL');
    await holder.exited;
    // This taker pauses (mutex bound, stale record judged) for 30 s: we kill it in the middle.
    const taker = spawnFixture(fixture('holder.mjs'), { args: [path, 'socket'], env: { TAKEOVER_PAUSE_MS: '30000' } });
    await waitFor(() => taker.stderr.includes('pausing before takeover'), { timeout: 10_000, message: 'taker mid-takeover' });
    expect(taker.stdout).toEqual([]);
    await expect(acquireInstanceLock({ backend: fileBackend({ path }) })).rejects.toMatchObject({ code: 'PM_INSTANCE_RUNNING' });
    taker.kill('SIGKILL');
    await taker.exited;
    const lock = await acquireInstanceLock({ backend: fileBackend({ path }) });
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('socket: a claim left by a taker that crashed mid-takeover is cleared, and the lock taken over at once', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const holder = await startHolder(path, 'socket');
    holder.kill('SIGKILL');
    await holder.exited;
    const taker = spawnFixture(fixture('dead-socket.mjs'), { args: [`${path}.sock.claim`] });
    await taker.waitForLine('listening');
    taker.kill('SIGKILL');
    await taker.exited;
    const lock = await acquireInstanceLock({ backend: fileBackend({ path, exclusion: 'socket' }), wait: 2000 });
    expect(JSON.parse(readFileSync(path, 'utf8')).instanceId).toBe(lock.info.instanceId);
    expect(existsSync(`${path}.sock.claim`)).toBe(false);
    await lock.release();
  });

  it('link: a takeover guard left by a crashed taker goes stale and the lock is taken over', async () => {
    const path = join(makeTempDir(), 'app.pid');
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify({ pid: 999_999, instanceId: 'dead' }));
    const guard = `${path}.takeover`;
    mkdirSync(guard);
    const old = new Date(Date.now() - 60_000);
    utimesSync(guard, old, old);
    const lock = await acquireInstanceLock({ backend: fileBackend({ path, exclusion: 'link' }) });
    expect(JSON.parse(readFileSync(path, 'utf8')).instanceId).toBe(lock.info.instanceId);
    await lock.release();
  });

  it('link: a fresh guard (a taker at work) makes others back off instead of racing it', async () => {
    const path = join(makeTempDir(), 'app.pid');
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify({ pid: 999_999, instanceId: 'dead' }));
    mkdirSync(`${path}.takeover`);
    await expect(acquireInstanceLock({ backend: fileBackend({ path, exclusion: 'link' }) })).rejects.toMatchObject({
      code: 'PM_INSTANCE_RUNNING',
    });
    expect(JSON.parse(readFileSync(path, 'utf8')).instanceId).toBe('dead');
  });
});
