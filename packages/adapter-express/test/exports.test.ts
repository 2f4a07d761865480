import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The public surface, pinned: adding or removing an export is a deliberate change to this list.
const expected = [
  'ExpressErrorCodes',
  'InstanceAlreadyRunningError',
  'InvalidServeOptionsError',
  'PmExpressError',
  'PortInUseError',
  'ReadyFailedError',
  'diskCheck',
  'eventLoopCheck',
  'formatInstanceRunningMessage',
  'healthMiddleware',
  'httpCheck',
  'memoryCheck',
  'pingCheck',
  'postgresCheck',
  'redisCheck',
  'serve',
  'serveDefaults',
  'tcpCheck',
  'underPressure',
];

describe('exports of the built package', () => {
  it('ESM entry exports exactly the public names', async () => {
    expect(Object.keys(await import('@pm/adapter-express')).sort()).toEqual(expected);
  });

  it('CommonJS entry exports the same names', () => {
    const mod = createRequire(import.meta.url)('@pm/adapter-express') as Record<string, unknown>;
    expect(
      Object.keys(mod)
        .filter((k) => k !== '__esModule')
        .sort(),
    ).toEqual(expected);
  });

  it('error codes are a closed set of PM_ strings, one per error class', async () => {
    const { ExpressErrorCodes } = await import('@pm/adapter-express');
    const codes = Object.values(ExpressErrorCodes);
    expect(codes.every((c) => /^PM_[A-Z_]+$/.test(c))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('importing installs no listeners', async () => {
    const before = process.listenerCount('SIGTERM') + process.listenerCount('SIGINT') + process.listenerCount('exit');
    await import('@pm/adapter-express');
    expect(process.listenerCount('SIGTERM') + process.listenerCount('SIGINT') + process.listenerCount('exit')).toBe(before);
  });
});
