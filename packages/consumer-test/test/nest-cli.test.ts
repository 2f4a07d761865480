// The NestJS starter as `nest new` lays it out (CommonJS, the Nest CLI's `nest build`), with the adapter
// installed from the tarballs and the stack run under `pm run` from a pm.config.mjs at the project root.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '../../test-utils/src/index.js';
import { createProject, install, peerWarning, run, tarballsOf } from '../src/project.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/nest-starter');
const cleanup: string[] = [];
let dir: string;

beforeAll(async () => {
  dir = createProject(
    'nest',
    tarballsOf(inject('packed')),
    {
      '@nestjs/cli': '^11.0.0',
      '@nestjs/common': '^11.0.0',
      '@nestjs/core': '^11.0.0',
      '@nestjs/platform-express': '^11.0.0',
      'reflect-metadata': '^0.2.2',
      rxjs: '^7.8.1',
      typescript: '~5.9.3',
      '@types/node': '^20.19.25',
      '@types/express': '^5.0.5',
    },
    fixture,
  );
  cleanup.push(dir);
  expect(await install(dir, 'npm')).not.toMatch(peerWarning.npm);
});

afterAll(() => {
  for (const path of cleanup) rmSync(path, { recursive: true, force: true });
});

describe('a NestJS starter built with the Nest CLI', () => {
  it('`nest build` type-checks against the CommonJS types and keeps dist/main.js where `start:prod` expects it', async () => {
    await run(dir, 'node', [join(dir, 'node_modules/@nestjs/cli/bin/nest.js'), 'build']);
    expect(existsSync(join(dir, 'dist/main.js'))).toBe(true);
    expect(existsSync(join(dir, 'dist/src'))).toBe(false);
  });

  it('runs under `pm run`: ready, /health 200, Ctrl-C stops it and leaves no process', async () => {
    const port = await freePort();
    const pmHome = mkdtempSync(join(tmpdir(), 'pm-home-nest-'));
    cleanup.push(pmHome);
    const pm = spawn(join(dir, 'node_modules/.bin/pm'), ['run'], {
      cwd: dir,
      env: { ...process.env, PORT: String(port), PM_HOME: pmHome },
    });
    let output = '';
    pm.stdout.on('data', (chunk: Buffer) => (output += chunk));
    pm.stderr.on('data', (chunk: Buffer) => (output += chunk));
    let appPid = 0;
    try {
      appPid = await waitFor(
        async () => {
          const health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
          return health?.status === 200 ? ((await health.json()) as { pid: number }).pid : undefined;
        },
        { timeout: 60_000, interval: 200, message: 'the app to answer /health 200' },
      ).catch(() => 0);
      expect(appPid, `the app never answered /health 200; pm printed:\n${output}`).toBeGreaterThan(0);
      expect(existsSync(join(dir, 'data/nest-starter.pid'))).toBe(true);
    } finally {
      pm.kill('SIGINT');
    }
    const [code] = (await once(pm, 'exit')) as [number | null];
    expect(code, output).toBe(0);
    expect(() => process.kill(appPid, 0)).toThrow();
    expect(existsSync(join(dir, 'data/nest-starter.pid'))).toBe(false);
  });
});
