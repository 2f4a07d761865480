import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExpressErrorCodes, serveDefaults } from '@pm/adapter-express';
import { freePort, httpRequest, makeTempDir, readmeTable, spawnFixture, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';

// The README is documentation users trust: its option list, defaults, error codes and first example
// are checked against the code so they cannot drift.
const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

const table = (marker: string): Map<string, string> => readmeTable(readme, marker);

describe('README', () => {
  it('one row per ServeOptions field, defaults equal serveDefaults', () => {
    const source = readFileSync(join(root, 'src/options.ts'), 'utf8');
    const body = source.slice(
      source.indexOf('export interface ServeOptions'),
      source.indexOf('\n}', source.indexOf('export interface ServeOptions')),
    );
    const keys = [...body.matchAll(/^ {2}(\w+)\?:/gm)].map((m) => m[1]);
    const rows = table('options:serve');
    expect([...rows.keys()].sort()).toEqual(keys.sort());
    for (const [key, value] of Object.entries(serveDefaults)) expect(rows.get(key), key).toBe(`\`${value}\``);
  });

  it('lists every error code, and no other', () => {
    expect([...table('errors').keys()].sort()).toEqual(Object.values(ExpressErrorCodes).sort());
  });

  it('the shortest example runs: serves / and /health, exits 0 on SIGTERM', async () => {
    const example = /## Shortest example\s+```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    // A throwaway app folder where the packages resolve as after `pnpm add @pm/adapter-express express`.
    const dir = makeTempDir();
    mkdirSync(join(dir, 'node_modules', '@pm'), { recursive: true });
    symlinkSync(root, join(dir, 'node_modules', '@pm', 'adapter-express'), 'dir');
    const express = dirname(realpathSync(createRequire(join(root, 'package.json')).resolve('express/package.json')));
    symlinkSync(express, join(dir, 'node_modules', 'express'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'app.mjs'), example!);
    const port = await freePort();
    const app = spawnFixture(join(dir, 'app.mjs'), { cwd: dir, env: { PORT: String(port), PID_FILE_PATH: join(dir, 'app.pid') } });
    const url = `http://127.0.0.1:${port}`;
    const res = await waitFor(
      async () => {
        const r = await httpRequest(`${url}/health`);
        return r.status === 200 ? r : undefined;
      },
      { timeout: 10_000, message: 'the README example to answer /health' },
    );
    expect(res.json).toMatchObject({ status: 'healthy', pid: app.pid });
    expect((await httpRequest(`${url}/`)).body).toBe('hello');
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
  });
});
