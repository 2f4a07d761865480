// Templates as users get them: `cp -r examples/express-cjs ~/x` or `npm init @pm/app x`, then `npm install && npm start`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '../../test-utils/src/index.js';
import { copyTemplate, install, peerWarning, pointAtTarballs, run, tarballsOf } from '../src/project.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '../../../examples');
const cleanup: string[] = [];
const tarballs = tarballsOf(inject('packed'));

afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

/** `npm install`, `npm start`, /health 200, then SIGTERM to the group: the app drains and removes its lock `data/<lockName>.pid`. */
async function installAndStart(dir: string, lockName: string, port: number, env: Record<string, string> = {}): Promise<void> {
  expect(await install(dir, 'npm')).not.toMatch(peerWarning.npm);
  const lockFile = join(dir, 'data', `${lockName}.pid`);
  const app = spawn('npm', ['start'], { cwd: dir, env: { ...process.env, HOST: '127.0.0.1', ...env }, stdio: 'pipe', detached: true });
  let output = '';
  app.stdout.on('data', (chunk: Buffer) => (output += chunk));
  app.stderr.on('data', (chunk: Buffer) => (output += chunk));
  try {
    // npm start builds the TypeScript templates first.
    await waitFor(() => output.includes('listening on'), { timeout: 60_000, interval: 50, message: '"listening on" from npm start' });
    expect(output).toContain(`listening on http://127.0.0.1:${port}`);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'healthy', checks: { database: { status: 'pass' } } });
    // The lock lands in the app's root, beside its package.json.
    expect(existsSync(lockFile)).toBe(true);
  } finally {
    // npm runs node as its child: signal the whole group, as a terminal's Ctrl-C would.
    process.kill(-app.pid!, 'SIGTERM');
  }
  const [code, signal] = (await once(app, 'exit')) as [number | null, NodeJS.Signals | null];
  // npm itself reports the signal it got; the app's clean exit shows in its lock file being removed.
  expect({ code, signal }).toMatchObject(code === null ? { signal: 'SIGTERM' } : { code: 0 });
  expect(output).not.toMatch(/Error|exit code 1/);
  // npm may exit before its child has finished draining: the lock goes when the app is done.
  await waitFor(() => !existsSync(lockFile), { timeout: 10_000, interval: 50, message: `${lockFile} removed` });
}

describe('templates installed and started as a user would', () => {
  it.each([
    ['express-cjs', 'CommonJS, Express 4, bin/www, no build'],
    ['express-app', 'ESM TypeScript, Express 5, built by tsup on npm start'],
    ['nest-app', 'ESM TypeScript, NestJS 11, built by tsup on npm start'],
  ])('examples/%s copied out of the repo (%s)', async (example) => {
    const dir = copyTemplate(join(examples, example), example, tarballs);
    cleanup.push(dir);
    const port = await freePort();
    await installAndStart(dir, example, port, { PORT: String(port) });
  });

  it('an app written by `npm init @pm/app` (the create-app tarball), on the port it was given', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pm-create-'));
    cleanup.push(parent);
    const port = await freePort();
    await run(parent, 'npx', ['--yes', `--package=${tarballs['@pm/create-app']}`, 'create-app', 'my-shop', '--port', String(port)]);
    const dir = join(parent, 'my-shop');
    pointAtTarballs(dir, tarballs);
    await installAndStart(dir, 'my-shop', port);
  });
});
