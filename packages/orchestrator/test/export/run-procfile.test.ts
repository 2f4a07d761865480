import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { httpRequest, waitFor } from '@pm/test-utils';
import { describe, it, onTestFinished } from 'vitest';
import { killAll } from '../helpers.js';
import { expectStackUp, expectTornDown, exportDevStack, stackProcesses } from './run-helpers.js';

describe('the exported stack runs the dev-stack example', () => {
  it('a Procfile runner (foreman) starts it in order; Ctrl-C ends it', { timeout: 90_000 }, async () => {
    const { ports, outDir } = await exportDevStack('procfile');
    const nf = join(createRequire(import.meta.url).resolve('foreman/package.json'), '..', 'nf.js');
    const runner = spawn(process.execPath, [nf, 'start', '-j', 'Procfile', '-e', '.env'], {
      cwd: outDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    runner.stdout.on('data', (d: Buffer) => (output += d.toString()));
    runner.stderr.on('data', (d: Buffer) => (output += d.toString()));
    onTestFinished(() => {
      runner.kill('SIGKILL');
      killAll([...stackProcesses(ports).values()].map((p) => p.pid));
    });
    await waitFor(async () => (await httpRequest(`http://127.0.0.1:${ports.web}/`, { timeout: 1000 })).status === 200, {
      timeout: 60_000,
      interval: 250,
      message: 'the web app',
    }).catch((error: Error) => {
      throw new Error(`${error.message}\nrunner output:\n${output}`);
    });
    const procs = await expectStackUp(ports);
    const exited = new Promise((resolve) => runner.once('exit', resolve));
    runner.kill('SIGINT');
    await exited;
    await expectTornDown(procs, ports);
  });
});
