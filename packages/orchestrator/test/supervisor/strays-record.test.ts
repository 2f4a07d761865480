import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { makeTempDir, waitFor } from '@pm/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { AppRecord } from '../../src/index.js';
import { alive, fixture, killAll, orchestrate } from '../helpers.js';

/** The start-time token pm records for a live pid (field 22 of /proc/<pid>/stat). */
const tokenOf = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return `proc:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
};

describe('the app record (what the state file saves)', () => {
  it('lists a grandchild that left the process group (pid + start token) and the stop settings', async () => {
    const dir = makeTempDir();
    const { orchestrator } = orchestrate(
      {
        apps: [
          { name: 'tree', script: fixture('grandchild.mjs'), ready: { log: 'grandchildren' }, stop: { signal: 'SIGINT', timeout: 1500 } },
        ],
      },
      { baseDir: dir },
    );
    await orchestrator.start();
    const [, same, escaped] = readFileSync(orchestrator.logFile('tree'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('grandchildren '))!
      .split(' ')
      .map(Number);
    onTestFinished(() => killAll([same!, escaped!]));
    const record = orchestrator.records()[0]!;
    expect(record.stop).toEqual({ signal: 'SIGINT', timeout: 1500 });
    expect(record.strays).toEqual([{ pid: escaped, token: tokenOf(escaped!) }]); // the one in the group is reached through it
    await orchestrator.stop();
    expect(alive(escaped!)).toBe(false);
    expect(orchestrator.records()[0]!.strays).toEqual([]);
  });

  it('picks up a process that runs setsid after the app is ready, and says so with a strays event', async () => {
    const dir = makeTempDir();
    const { orchestrator, events } = orchestrate(
      { apps: [{ name: 'sh', command: 'sleep 0.3; setsid sleep 1000 & echo "setsid $!"; wait' }] },
      { baseDir: dir },
    );
    await orchestrator.start();
    const event = await waitFor(() => events.find((e) => e.type === 'strays'), { timeout: 10_000, message: 'a strays event' });
    const pid = Number(/^setsid (\d+)$/m.exec(readFileSync(orchestrator.logFile('sh'), 'utf8'))![1]);
    onTestFinished(() => killAll([pid]));
    const expected: AppRecord['strays'] = [{ pid, token: tokenOf(pid) }];
    expect(event).toMatchObject({ app: 'sh', pid: orchestrator.records()[0]!.pid, strays: expected });
    expect(orchestrator.records()[0]!.strays).toEqual(expected);
    expect(orchestrator.records()[0]!.stop).toEqual({ signal: 'SIGTERM', timeout: 5000 }); // the defaults
  });

  it('an adopting supervisor takes over the strays the record lists (still the same processes) and ends them on stop', async () => {
    const dir = makeTempDir();
    // A leader left by an earlier supervisor, and a helper that left its tree (no link to it in /proc any more).
    const leader = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    const stray = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    const reused = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    onTestFinished(() => killAll([leader.pid!, stray.pid!, reused.pid!]));
    const { orchestrator } = orchestrate({ apps: [{ name: 'app', command: ['sleep', '1000'] }] }, { baseDir: dir });
    const record: AppRecord = {
      ...{ name: 'app', status: 'running', port: null, restarts: 0, startedAt: Date.now() },
      ...{ pid: leader.pid!, startToken: tokenOf(leader.pid!) },
      // `reused` stands for a pid the system gave to another process since: a wrong token, never touched.
      strays: [
        { pid: stray.pid!, token: tokenOf(stray.pid!) },
        { pid: reused.pid!, token: 'proc:1' },
      ],
    };
    expect(await orchestrator.adopt([record])).toEqual(['app']);
    expect(orchestrator.records()[0]!.strays).toEqual([{ pid: stray.pid, token: tokenOf(stray.pid!) }]);
    await orchestrator.stop();
    await waitFor(() => !alive(stray.pid!) && !alive(leader.pid!), { timeout: 10_000, message: 'leader and stray ended' });
    expect(alive(reused.pid!)).toBe(true);
  });
});
