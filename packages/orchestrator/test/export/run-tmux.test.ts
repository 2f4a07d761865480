import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { killAll } from '../helpers.js';
import { expectStackUp, expectTornDown, exportDevStack, stackProcesses } from './run-helpers.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.CI === 'true') throw new Error('tmux is missing: install Debian package tmux');
if (!hasTmux) console.warn('skipping the tmux export run: tmux is not installed');

describe('the exported stack runs the dev-stack example', () => {
  it.skipIf(!hasTmux)('pm-tmux.sh start opens it in order, stop ends it', { timeout: 90_000 }, async () => {
    const { ports, outDir } = await exportDevStack('tmux');
    const socket = `pm-export-test-${process.pid}`;
    const env = { ...process.env, PM_TMUX_SOCKET: socket, PM_TMUX_SESSION: 'stack' };
    onTestFinished(() => {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
      killAll([...stackProcesses(ports).values()].map((p) => p.pid));
    });
    const out = execFileSync('sh', [join(outDir, 'pm-tmux.sh'), 'start'], { env, encoding: 'utf8', timeout: 80_000 });
    expect(out.indexOf('api: starting')).toBeLessThan(out.indexOf('agents: starting'));
    expect(out.indexOf('agents: starting')).toBeLessThan(out.indexOf('web: starting'));
    expect(out).toContain('All apps are up');
    const windows = execFileSync('tmux', ['-L', socket, 'list-windows', '-t', 'stack', '-F', '#{window_name} #{pane_pid}'], {
      encoding: 'utf8',
    });
    const procs = await expectStackUp(ports);
    // Each window's pane process is the app itself (exec), so stop signals reach it.
    for (const [name, p] of procs) expect(windows).toContain(`${name} ${p.pid}`);
    execFileSync('sh', [join(outDir, 'pm-tmux.sh'), 'stop'], { env, encoding: 'utf8', timeout: 30_000 });
    await expectTornDown(procs, ports);
    expect(spawnSync('tmux', ['-L', socket, 'has-session', '-t', 'stack']).status).not.toBe(0);
  });
});
