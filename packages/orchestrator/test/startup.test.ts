import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@pm/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { userSystemd } from '../src/startup/systemd.js';
import { makeProject, pm } from './cli-helpers.js';

const config = { apps: [{ name: 'api', script: 'api.mjs', stop: { timeout: 3000 } }] };
const systemd = userSystemd();
if (!systemd.ok) console.warn(`pm startup runs in its "no systemd" mode here: ${systemd.reason}`);

describe('pm startup / unstartup', () => {
  it('--print shows a user unit (valid for systemd-analyze) and the commands, and changes nothing', async () => {
    const { dir } = makeProject(config);
    const xdg = makeTempDir('pm-xdg-');
    const run = await pm(['startup', '--print'], { cwd: dir, env: { XDG_CONFIG_HOME: xdg } });
    expect(run.code).toBe(0);
    const file = /^# (\S+\.service)$/m.exec(run.stdout)![1]!;
    expect(file.startsWith(join(xdg, 'systemd', 'user', 'pm-'))).toBe(true);
    expect(run.stdout).toContain(`pm.js run -c ${join(dir, 'pm.config.json')}`);
    expect(run.stdout).toContain('WantedBy=default.target');
    expect(run.stdout).toContain('TimeoutStopSec=8s');
    expect(run.stdout).toMatch(/^systemctl --user enable --now pm-\S+\.service$/m);
    expect(existsSync(join(xdg, 'systemd'))).toBe(false);
    const unit = run.stdout.slice(run.stdout.indexOf('\n') + 1, run.stdout.indexOf('# then:'));
    const copy = join(makeTempDir('pm-unit-'), 'pm-stack.service');
    writeFileSync(copy, unit);
    const verify = spawnSync('systemd-analyze', ['verify', '--man=no', copy], { encoding: 'utf8' });
    if (verify.error) console.warn('skipping systemd-analyze verify: not installed');
    else expect({ code: verify.status, output: `${verify.stdout}${verify.stderr}` }).toEqual({ code: 0, output: '' });
    const undo = await pm(['unstartup', '--print'], { cwd: dir, env: { XDG_CONFIG_HOME: xdg } });
    expect(undo.stdout).toMatch(/^systemctl --user disable --now pm-\S+\.service$/m);
  });

  it.skipIf(systemd.ok)('says so on a machine without a systemd user manager, and writes nothing', async () => {
    const { dir } = makeProject(config);
    const xdg = makeTempDir('pm-xdg-');
    const run = await pm(['startup'], { cwd: dir, env: { XDG_CONFIG_HOME: xdg } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/does not run systemd|user manager does not answer/);
    expect(existsSync(join(xdg, 'systemd'))).toBe(false);
    expect(await pm(['unstartup'], { cwd: dir, env: { XDG_CONFIG_HOME: xdg } })).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('nothing to remove'),
    });
  });

  it.runIf(systemd.ok)('installs, enables and removes the unit with systemctl --user', async () => {
    const { dir } = makeProject(config);
    writeFileSync(join(dir, 'api.mjs'), 'setInterval(() => {}, 1000);\n');
    const xdg = makeTempDir('pm-xdg-');
    onTestFinished(async () => {
      await pm(['unstartup'], { cwd: dir, env: { XDG_CONFIG_HOME: xdg } });
    });
    const run = await pm(['startup'], { cwd: dir, env: { XDG_CONFIG_HOME: xdg } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\$ systemctl --user enable --now pm-\S+\.service$/m);
    expect(readdirSync(join(xdg, 'systemd', 'user')).filter((f) => f.endsWith('.service'))).toHaveLength(1);
    const undo = await pm(['unstartup'], { cwd: dir, env: { XDG_CONFIG_HOME: xdg } });
    expect(undo.code).toBe(0);
    expect(readdirSync(join(xdg, 'systemd', 'user')).filter((f) => f.endsWith('.service'))).toHaveLength(0);
  });
});
