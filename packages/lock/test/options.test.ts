import { describe, expect, it } from 'vitest';
import { acquireInstanceLock, fileBackend, InvalidLockOptionsError, LockErrorCodes } from '../src/index.js';

describe('options validation', () => {
  it('reports every problem at once with code PM_LOCK_INVALID_OPTIONS', async () => {
    const error = await acquireInstanceLock({
      name: 'a/b',
      port: 70000,
      wait: -1,
      metadata: [] as unknown as Record<string, unknown>,
      onCompromised: 'no' as unknown as () => void,
      releaseOnExit: 'yes' as unknown as boolean,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidLockOptionsError);
    expect((error as InvalidLockOptionsError).code).toBe(LockErrorCodes.invalidOptions);
    expect((error as InvalidLockOptionsError).problems).toHaveLength(6);
  });

  it.each([
    [{ name: '' }, /name/],
    [{ path: '' }, /path/],
    [{ port: 1.5 }, /port/],
    [{ wait: Number.NaN }, /wait/],
    [{ metadata: { big: 1n } }, /JSON/],
    [{ backend: {} }, /backend/],
    [{ logger: { info() {} } }, /logger/],
    [{ path: '/tmp/x.pid', backend: fileBackend() }, /fileBackend\(\{ path \}\)/],
  ])('rejects %o', async (options, message) => {
    const error = await acquireInstanceLock(options as never).catch((e: unknown) => e);
    expect((error as InvalidLockOptionsError).code).toBe('PM_LOCK_INVALID_OPTIONS');
    expect((error as Error).message).toMatch(message);
  });
});
