// A template copied out of the repo installs and runs as is: `cp -r examples/express-cjs ~/x && npm install && npm start`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../test-utils/src/index.js';
import { copyTemplate, install, peerWarning, tarballsOf } from '../src/project.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '../../../examples');
const cleanup: string[] = [];
const tarballs = tarballsOf(inject('packed'));

afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

describe('examples/express-cjs copied out of the repo (CommonJS, Express 4, bin/www)', () => {
  it('installs with npm, starts with `npm start`, answers /health, drains on SIGTERM and removes its lock', async () => {
    const dir = copyTemplate(join(examples, 'express-cjs'), 'express-cjs', tarballs);
    cleanup.push(dir);
    expect(await install(dir, 'npm')).not.toMatch(peerWarning.npm);

    const port = await freePort();
    const app = spawn('npm', ['start'], {
      cwd: dir,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: 'pipe',
      detached: true,
    });
    let output = '';
    app.stdout.on('data', (chunk: Buffer) => (output += chunk));
    app.stderr.on('data', (chunk: Buffer) => (output += chunk));
    try {
      const deadline = Date.now() + 20_000;
      while (!output.includes('listening on') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(output).toContain(`listening on http://127.0.0.1:${port}`);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'healthy', checks: { database: { status: 'pass' } } });
      // The lock lands under the copy (npm start runs in the app's folder).
      expect(existsSync(join(dir, 'data/express-cjs.pid'))).toBe(true);
    } finally {
      // npm runs node as its child: signal the whole group, as a terminal's Ctrl-C would.
      process.kill(-app.pid!, 'SIGTERM');
    }
    const [code, signal] = (await once(app, 'exit')) as [number | null, NodeJS.Signals | null];
    // npm itself reports the signal it got; the app's clean exit shows in its lock file being removed.
    expect({ code, signal }).toMatchObject(code === null ? { signal: 'SIGTERM' } : { code: 0 });
    expect(output).not.toMatch(/Error|exit code 1/);
    // npm may exit before its child has finished draining: the lock goes when the app is done.
    const lockGone = Date.now() + 10_000;
    while (existsSync(join(dir, 'data/express-cjs.pid')) && Date.now() < lockGone) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(dir, 'data/express-cjs.pid'))).toBe(false);
  });
});
