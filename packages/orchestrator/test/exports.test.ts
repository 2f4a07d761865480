import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const surface = [
  'AppNotFoundError',
  'ConfigInvalidError',
  'ConfigLoadFailedError',
  'ConfigNotFoundError',
  'DaemonUnreachableError',
  'DependencyCycleError',
  'OrchestratorErrorCodes',
  'PmOrchestratorError',
  'PortInUseError',
  'StartFailedError',
  'StartFailuresError',
  'StateCorruptError',
  'UnsafePathError',
  'configDefaults',
  'configFileNames',
  'createOrchestrator',
  'defineConfig',
  'findConfigFile',
  'fromPm2Ecosystem',
  'isReadyMessage',
  'loadConfig',
  'orchestratorDefaults',
  'pm2MappedFields',
  'resolveConfig',
  'validateConfig',
];

describe('public surface', () => {
  it('exports exactly these names from src', () => {
    expect(Object.keys(api).sort()).toEqual(surface);
  });

  it('the built ESM and CJS entries export the same names', async () => {
    const esm = await import('@pm/orchestrator');
    const cjs = createRequire(import.meta.url)('@pm/orchestrator') as Record<string, unknown>;
    expect(Object.keys(esm).sort()).toEqual(surface);
    expect(Object.keys(cjs).sort()).toEqual(surface);
  });

  it('error codes form a closed set of PM_ strings', () => {
    expect(Object.values(api.OrchestratorErrorCodes).sort()).toEqual([
      'PM_APP_NOT_FOUND',
      'PM_CONFIG_INVALID',
      'PM_CONFIG_LOAD_FAILED',
      'PM_CONFIG_NOT_FOUND',
      'PM_DAEMON_UNREACHABLE',
      'PM_DEPENDENCY_CYCLE',
      'PM_PORT_IN_USE',
      'PM_START_FAILED',
      'PM_STATE_CORRUPT',
      'PM_UNSAFE_PATH',
    ]);
    const error = new api.StartFailedError('api', 'boom', { cause: new Error('root') });
    expect(error).toBeInstanceOf(api.PmOrchestratorError);
    expect(error.name).toBe('StartFailedError');
    expect(error.code).toBe('PM_START_FAILED');
    expect((error.cause as Error).message).toBe('root');
  });

  it('recognises the IPC readiness message shapes', () => {
    expect(api.isReadyMessage({ type: 'pm:ready' })).toBe(true);
    expect(api.isReadyMessage('ready')).toBe(true);
    expect(api.isReadyMessage({ type: 'other' })).toBe(false);
  });
});
