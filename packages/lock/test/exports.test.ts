import { describe, expect, it } from 'vitest';
import * as lock from '@pm/lock';

describe('public surface of @pm/lock (built entry)', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(lock).sort()).toEqual([
      'InstanceAlreadyRunningError',
      'InvalidLockOptionsError',
      'LockBackendUnavailableError',
      'LockCompromisedError',
      'LockErrorCodes',
      'LockUnwritableError',
      'PmLockError',
      'acquireInstanceLock',
      'describePortHolder',
      'fileBackend',
      'fileBackendDefaults',
      'findPortHolder',
      'formatInstanceRunningMessage',
      'inspectInstanceLock',
      'lockDefaults',
    ]);
  });

  it('has a closed set of error codes', () => {
    expect(Object.values(lock.LockErrorCodes).sort()).toEqual([
      'PM_INSTANCE_RUNNING',
      'PM_LOCK_BACKEND_UNAVAILABLE',
      'PM_LOCK_COMPROMISED',
      'PM_LOCK_INVALID_OPTIONS',
      'PM_LOCK_UNWRITABLE',
    ]);
  });

  it('importing has no side effects: no exit listener, no timers', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `
      const before = process.listenerCount('exit');
      await import('@pm/lock');
      const handles = process.getActiveResourcesInfo().filter((r) => /Timeout|Immediate|Server|Signal/.test(r));
      const signals = process.listenerCount('SIGTERM') + process.listenerCount('SIGINT');
      console.log(JSON.stringify({ exit: process.listenerCount('exit') - before, signals, handles }));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
    expect(JSON.parse(result.stdout)).toEqual({ exit: 0, signals: 0, handles: [] });
  });
});
