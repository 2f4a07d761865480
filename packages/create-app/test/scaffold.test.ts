import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { makeTempDir } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';

const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const run = (args: string[], cwd: string) =>
  promisify(execFile)(process.execPath, [cli, ...args], { cwd }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

describe('npm init @pm/app (the built CLI)', () => {
  it('writes the express-cjs template with the name and port filled in, and a pm config that runs it', async () => {
    const cwd = makeTempDir();
    const result = await run(['my-shop', '--port', '4100'], cwd);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Created my-shop (express-cjs)');
    const manifest = JSON.parse(readFileSync(join(cwd, 'my-shop/package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'my-shop', version: '0.1.0', scripts: { start: 'node ./bin/www' } });
    expect(manifest.private).toBeUndefined();
    expect(manifest.dependencies['@pm/adapter-express']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    const www = readFileSync(join(cwd, 'my-shop/bin/www'), 'utf8');
    expect(www).toContain("lock: { name: 'my-shop'");
    expect(www).toContain('|| 4100)');
    expect(www).not.toContain('express-cjs');
    const config = (await import(pathToFileURL(join(cwd, 'my-shop/pm.config.mjs')).href)).default;
    expect(config.apps).toEqual([expect.objectContaining({ name: 'my-shop', script: 'bin/www', port: 4100 })]);
    expect(existsSync(join(cwd, 'my-shop/test'))).toBe(false);
  });

  it('refuses a name npm would refuse, an unknown template, a bad port and a non-empty folder, writing nothing', async () => {
    const cwd = makeTempDir();
    expect(await run(['My Shop'], cwd)).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot name an npm package') });
    expect(await run(['shop', '--template', 'rails'], cwd)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('No template "rails"'),
    });
    expect(await run(['shop', '--port', '70000'], cwd)).toMatchObject({ code: 2, stderr: expect.stringContaining('--port must be') });
    mkdirSync(join(cwd, 'taken'));
    writeFileSync(join(cwd, 'taken/keep.txt'), 'mine');
    expect(await run(['taken'], cwd)).toMatchObject({ code: 2, stderr: expect.stringContaining('exists and is not empty') });
    expect(readFileSync(join(cwd, 'taken/keep.txt'), 'utf8')).toBe('mine');
    expect(await run([], cwd)).toMatchObject({ code: 2, stderr: expect.stringContaining('Name the folder') });
    expect(existsSync(join(cwd, 'shop'))).toBe(false);
  });
});
