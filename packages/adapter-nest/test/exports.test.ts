import { createRequire } from 'node:module';
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';

// The public surface, pinned: adding or removing an export is a deliberate change to this list.
const expected = [
  'InstanceAlreadyRunningError',
  'InvalidPmOptionsError',
  'NestErrorCodes',
  'PmCheck',
  'PmChecks',
  'PmInfo',
  'PmModule',
  'PmModuleMissingError',
  'PmNestError',
  'PmService',
  'PortInUseError',
  'diskCheck',
  'eventLoopCheck',
  'formatInstanceRunningMessage',
  'httpCheck',
  'memoryCheck',
  'pingCheck',
  'pmModuleDefaults',
  'postgresCheck',
  'redisCheck',
  'serve',
  'serveDefaults',
  'tcpCheck',
  'underPressure',
];

describe('exports of the built package', () => {
  it('ESM entry exports exactly the public names', async () => {
    expect(Object.keys(await import('@pm/adapter-nest')).sort()).toEqual(expected);
  });

  it('CommonJS entry exports the same names', () => {
    const mod = createRequire(import.meta.url)('@pm/adapter-nest') as Record<string, unknown>;
    expect(
      Object.keys(mod)
        .filter((k) => k !== '__esModule')
        .sort(),
    ).toEqual(expected);
  });

  it('error codes are a closed set of PM_ strings', async () => {
    const { NestErrorCodes } = await import('@pm/adapter-nest');
    const codes = Object.values(NestErrorCodes);
    expect(codes.every((c) => /^PM_[A-Z_]+$/.test(c))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('importing installs no listeners', async () => {
    const count = () => process.listenerCount('SIGTERM') + process.listenerCount('SIGINT') + process.listenerCount('exit');
    const before = count();
    await import('@pm/adapter-nest');
    expect(count()).toBe(before);
  });
});
