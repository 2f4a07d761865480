import { waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigInvalidError } from '../src/index.js';
import { makeProject, pm, pmStart, projectPids } from './cli-helpers.js';
import { alive, fixture } from './helpers.js';

describe('pm status without a supervisor', () => {
  it('says the apps it finds alive are unsupervised, in the table (stderr warning) and in --json', async () => {
    const { dir } = makeProject({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }], dashboard: false });
    await pmStart(dir);
    const supervised = await pm(['status', '--json'], { cwd: dir });
    expect(supervised.stderr).toBe('');
    expect(JSON.parse(supervised.stdout)[0]).not.toHaveProperty('supervised');

    const { daemon } = projectPids(dir);
    process.kill(daemon!, 'SIGKILL');
    await waitFor(() => !alive(daemon!));
    const text = await pm(['status'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/svc\s+running/);
    expect(text.stderr).toContain('no pm supervisor runs this project: svc runs unsupervised');
    expect(text.stderr).toContain('`pm start` adopts them; `pm stop all` ends them');
    const json = await pm(['status', '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ name: 'svc', status: 'running', supervised: false })]);
  });
});

describe('several apps failing to start', () => {
  it('pm start prints every failure, not only the first', async () => {
    const crash = (name: string) => ({ name, script: fixture('crash.mjs'), ready: { log: 'never' }, restart: { policy: 'never' } });
    const { dir } = makeProject({
      apps: [crash('first'), { name: 'ok', script: fixture('sleeper.mjs') }, crash('second')],
      dashboard: false,
    });
    const result = await pm(['start'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PM_START_FAILED');
    expect(result.stderr).toContain('2 apps failed to start');
    expect(result.stderr).toContain('"first" failed to start');
    expect(result.stderr).toContain('"second" failed to start');
    expect(result.stdout).toMatch(/ok\s+running/);
  });
});

describe('app names the CLI cannot address', () => {
  it('refuses ".", ".." and "all" in validation, saying why', () => {
    let error: ConfigInvalidError | undefined;
    try {
      resolveConfig({ apps: ['.', '..', 'all', 'all-in'].map((name) => ({ name, command: ['true'] })) });
    } catch (e) {
      error = e as ConfigInvalidError;
    }
    expect(error?.code).toBe('PM_CONFIG_INVALID');
    expect(error!.problems.map((p) => p.path)).toEqual(['apps[0].name', 'apps[1].name', 'apps[2].name']);
    expect(error!.problems[2]!.message).toBe('expected another name: "all" is reserved: `pm stop all` means every app, got "all"');
    expect(error!.problems[0]!.message).toContain('"." is a folder name, not an app name');
  });

  it('pm start reports it with the path of the name', async () => {
    const { dir } = makeProject({ apps: [{ name: 'all', script: fixture('sleeper.mjs') }], dashboard: false });
    const result = await pm(['start'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('apps[0].name: expected another name: "all" is reserved');
  });
});
