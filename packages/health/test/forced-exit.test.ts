import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { acquireInstanceLock } from '@pm/lock';
import { makeTempDir, sleep } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { createShutdown } from '../src/index.js';

const hanging = () => new Promise<void>(() => {});

describe('a shutdown forced by the total timeout', () => {
  it('still releases a real @pm/lock lock on the way out, then exits 1', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const lock = await acquireInstanceLock({ path, releaseOnExit: false });
    const codes: number[] = [];
    const shutdown = createShutdown({
      signals: [],
      timeout: 300,
      lock,
      exit: (code) => void codes.push(code),
      hooks: [{ name: 'stuck', fn: hanging, timeout: 10_000 }],
    });
    const result = await shutdown.shutdown('test');
    expect(result).toMatchObject({ exitCode: 1, forced: true, errors: [expect.objectContaining({ code: 'PM_SHUTDOWN_TIMEOUT' })] });
    expect(codes).toEqual([1]);
    expect(lock.released).toBe(true);
    expect(existsSync(path), 'the lock file is gone, so a replacement can start at once').toBe(false);
  });

  it('does not wait more than min(1 s, hookTimeout) for a lock release that hangs', async () => {
    const codes: number[] = [];
    const shutdown = createShutdown({
      signals: [],
      timeout: 300,
      hookTimeout: 200,
      exit: (code) => void codes.push(code),
      lock: { release: hanging },
      hooks: [{ name: 'stuck', fn: hanging, timeout: 10_000 }],
    });
    const started = performance.now();
    const result = await shutdown.shutdown('test');
    const took = performance.now() - started;
    expect(result).toMatchObject({ exitCode: 1, forced: true });
    expect(codes).toEqual([1]);
    expect(took).toBeGreaterThanOrEqual(480);
    expect(took).toBeLessThan(1500);
  });

  it('abandons the hooks still to run and exits only after the release it started has finished', async () => {
    const log: string[] = [];
    let releaseDone = false;
    const shutdown = createShutdown({
      signals: [],
      timeout: 300,
      exit: () => void log.push(`exit, release finished: ${releaseDone}`),
      lock: {
        release: async () => {
          log.push('release');
          await sleep(150);
          releaseDone = true;
        },
      },
      hooks: [
        { name: 'slow', fn: () => sleep(350), timeout: 10_000 },
        { name: 'after', fn: () => void log.push('hook "after" ran'), timeout: 10_000 },
      ],
    });
    await shutdown.shutdown('test');
    await sleep(200); // anything the sequence would still do happens now
    expect(log).toEqual(['release', 'exit, release finished: true']);
  });

  it('waits for a release the sequence itself started when the total timeout fires during it', async () => {
    const log: string[] = [];
    let releaseDone = false;
    const shutdown = createShutdown({
      signals: [],
      timeout: 300,
      exit: () => void log.push(`exit, release finished: ${releaseDone}`),
      lock: {
        release: async () => {
          log.push('release');
          await sleep(200);
          releaseDone = true;
        },
      },
      hooks: [{ name: 'quick', fn: () => sleep(200), timeout: 10_000 }],
    });
    const result = await shutdown.shutdown('test');
    expect(result).toMatchObject({ exitCode: 1, forced: true });
    expect(log).toEqual(['release', 'exit, release finished: true']);
  });
});
