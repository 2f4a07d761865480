import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { StartFailedError } from '../../src/index.js';
import { fixture, orchestrate } from '../helpers.js';

describe('a start that cannot spawn', () => {
  it('names a missing cwd and how to fix it, in the error, the event and the app log', async () => {
    const dir = makeTempDir();
    const missing = join(dir, 'no-such-folder');
    const { orchestrator, events } = orchestrate(
      { apps: [{ name: 'app', command: ['sleep', '100'], cwd: missing, restart: { policy: 'never' } }] },
      { baseDir: dir },
    );
    const error = await orchestrator.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartFailedError);
    const message = (error as Error).message;
    expect(message).toContain(`its working folder ${missing} does not exist`);
    expect(message).toContain("fix `cwd` of app 'app'");
    expect(message).not.toContain('spawn sleep ENOENT');
    expect(events.find((e) => e.type === 'start-failed')).toMatchObject({ reason: expect.stringContaining(missing) });
    expect(readFileSync(orchestrator.logFile('app'), 'utf8')).toContain(`failed to start: its working folder ${missing} does not exist`);
  });

  it('says a command was not found (not the folder), in the app log too', async () => {
    const dir = makeTempDir();
    const { orchestrator } = orchestrate(
      { apps: [{ name: 'app', command: ['pm-no-such-command'], restart: { policy: 'never' } }] },
      { baseDir: dir },
    );
    const message = ((await orchestrator.start().catch((e: unknown) => e)) as Error).message;
    expect(message).toContain("command 'pm-no-such-command' was not found");
    expect(readFileSync(orchestrator.logFile('app'), 'utf8')).toContain("failed to start: command 'pm-no-such-command' was not found");
  });

  it('out of file descriptors (EMFILE, real limit): that start fails and is retried by the backoff; the orchestrator lives on', async () => {
    const dir = makeTempDir();
    // A low real limit, so taking every free descriptor is quick; the orchestrator is the built dist.
    const child = spawn('prlimit', ['--nofile=256:256', process.execPath, fixture('emfile-orchestrator.mjs'), dir, fixture('crash.mjs')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const lines = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; reason?: string });
    expect(stderr, 'the orchestrator crashed').toBe('');
    expect(code).toBe(0);
    const types = lines.map((l) => l.type);
    expect(types).toContain('exhausted');
    const failures = lines.filter((l) => l.type === 'start-failed');
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures[0]!.reason).toMatch(/^cannot open its log file .*app\.log \(EMFILE\): too many open files/);
    // Retried by the backoff: after the descriptors are free, the app is spawned and ready again.
    const afterFreed = types.slice(types.indexOf('freed'));
    expect(afterFreed).toContain('spawn');
    expect(afterFreed).toContain('ready');
    expect(types.at(-1)).toBe('closed');
  }, 60_000);
});
