import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, pm } from '../cli-helpers.js';

const config = {
  apps: [
    { name: 'api', script: 'api.mjs', port: 3990, ready: { http: 'http://localhost:${PORT}/readyz' } },
    { name: 'web', script: 'web.mjs', dependsOn: ['api'], ready: { log: 'ready' } },
  ],
};

describe('pm export (CLI)', () => {
  it('writes the files, lists what has no equivalent, and exits 0', async () => {
    const { dir } = makeProject(config);
    const run = await pm(['export', 'compose'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('written: compose.yaml');
    expect(run.stdout).toContain('not exported: web: ready.log has no equivalent in compose.');
    expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toContain('http://localhost:3990/readyz');
    expect((statSync(join(dir, 'compose.yaml')).mode & 0o777).toString(8)).toBe('644');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    const again = await pm(['export', 'compose'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('unchanged: compose.yaml');
  });

  it('never overwrites a changed file without --force; --check exits 1 until the files match', async () => {
    const { dir } = makeProject(config);
    expect((await pm(['export', 'systemd'], { cwd: dir })).code).toBe(0);
    const unit = join(dir, 'systemd', `${dir.split('/').at(-1)}-api.service`);
    writeFileSync(unit, 'edited by hand\n');
    expect(await pm(['export', 'systemd', '--check'], { cwd: dir })).toMatchObject({
      code: 1,
      stdout: expect.stringContaining('differs: systemd/'),
    });
    const refused = await pm(['export', 'systemd'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(unit, 'utf8')).toBe('edited by hand\n');
    expect((await pm(['export', 'systemd', '--force'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(unit, 'utf8')).toContain('ExecStart=');
    expect(await pm(['export', 'systemd', '--check'], { cwd: dir })).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('up to date'),
    });
  });

  it('--check reports missing files; -o and --app choose where and what', async () => {
    const { dir } = makeProject(config);
    expect(await pm(['export', 'tmux', '--check'], { cwd: dir })).toMatchObject({
      code: 1,
      stdout: expect.stringContaining('missing: pm-tmux.sh'),
    });
    const run = await pm(['export', 'tmux', '-o', 'out', '--app', 'api'], { cwd: dir });
    expect(run.code).toBe(0);
    const script = readFileSync(join(dir, 'out', 'pm-tmux.sh'), 'utf8');
    expect(script).toContain('-n api');
    expect(script).not.toContain('-n web');
    expect((statSync(join(dir, 'out', 'pm-tmux.sh')).mode & 0o777).toString(8)).toBe('755');
  });

  it('rejects an unknown target or app, and a command app without --image for containers', async () => {
    const { dir } = makeProject({ apps: [{ name: 'db', command: ['redis-server'] }] });
    expect(await pm(['export', 'nomad'], { cwd: dir })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('systemd, compose, kubernetes'),
    });
    expect(await pm(['export', 'pm2', '--app', 'nope'], { cwd: dir })).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('No app named "nope"'),
    });
    expect(await pm(['export', 'kubernetes'], { cwd: dir })).toMatchObject({ code: 1, stderr: expect.stringContaining('--image') });
    expect((await pm(['export', 'kubernetes', '--image', 'redis:7'], { cwd: dir })).code).toBe(0);
  });
});

describe('pm export systemd --system', () => {
  it('writes system units: the target is wanted by multi-user.target', async () => {
    const { dir } = makeProject(config);
    expect((await pm(['export', 'systemd', '--system', '-o', 'units'], { cwd: dir })).code).toBe(0);
    const target = readdirSync(join(dir, 'units')).find((f) => f.endsWith('.target'))!;
    expect(readFileSync(join(dir, 'units', target), 'utf8')).toContain('WantedBy=multi-user.target');
  });
});
