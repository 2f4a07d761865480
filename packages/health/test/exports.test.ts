import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The public surface, pinned: adding or removing an export is a deliberate change to this list.
const expected = [
  'CheckFailedError',
  'CheckTimeoutError',
  'DuplicateNameError',
  'HealthErrorCodes',
  'InvalidOptionsError',
  'PmHealthError',
  'ShutdownError',
  'ShutdownHookError',
  'checkDefaults',
  'createHealth',
  'createShutdown',
  'diskCheck',
  'eventLoopCheck',
  'healthDefaults',
  'httpCheck',
  'memoryCheck',
  'pingCheck',
  'postgresCheck',
  'redisCheck',
  'shutdownDefaults',
  'startServing',
  'tcpCheck',
  'underPressure',
  'underPressureDefaults',
];

describe('exports of the built package', () => {
  it('ESM entry exports exactly the public names', async () => {
    const mod = await import('@pm/health');
    expect(Object.keys(mod).sort()).toEqual(expected);
  });

  it('CommonJS entry exports the same names', () => {
    const mod = createRequire(import.meta.url)('@pm/health') as Record<string, unknown>;
    expect(
      Object.keys(mod)
        .filter((k) => k !== '__esModule')
        .sort(),
    ).toEqual(expected);
  });

  it('error codes are a closed set of PM_ strings', async () => {
    const { HealthErrorCodes } = await import('@pm/health');
    const codes = Object.values(HealthErrorCodes);
    expect(codes.every((c) => /^PM_[A-Z_]+$/.test(c))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('importing installs no listeners', async () => {
    const before = process.listenerCount('SIGTERM') + process.listenerCount('SIGINT');
    await import('@pm/health');
    expect(process.listenerCount('SIGTERM') + process.listenerCount('SIGINT')).toBe(before);
  });
});
