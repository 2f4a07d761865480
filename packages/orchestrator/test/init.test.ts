// `pm init` reads real project layouts and writes a config that runs as is.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@pm/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../src/index.js';
import { pm, pmStart } from './cli-helpers.js';

function project(pkg: object, files: Record<string, string> = {}): string {
  const dir = makeTempDir('pm-init-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const server = `require('node:http').createServer((_req, res) => res.end('hi ' + process.pid)).listen(process.env.PORT, '127.0.0.1');\n`;

describe('pm init', () => {
  it('an express-generator app (bin/www from the start script) gets a config that starts it, ready when its port accepts', async () => {
    const dir = project(
      { name: 'my-express', scripts: { start: 'node ./bin/www' }, dependencies: { express: '^4.21.2' } },
      { 'bin/www': server },
    );
    const init = await pm(['init'], { cwd: dir });
    expect(init).toMatchObject({ code: 0, stderr: '' });
    expect(init.stdout).toContain('my-express runs bin/www (from the "start" script)');
    const { config } = await loadConfig({ dir });
    expect(config.apps[0]).toMatchObject({
      name: 'my-express',
      script: join(dir, 'bin/www'),
      port: 'auto',
      ready: { kind: 'tcp', target: '${PORT}' },
    });

    onTestFinished(async () => void (await pm(['stop', 'all'], { cwd: dir, timeout: 20_000 })));
    await pmStart(dir);
    const status = JSON.parse((await pm(['status', '--json'], { cwd: dir })).stdout) as { name: string; status: string; port: number }[];
    const app = status.find((a) => a.name === 'my-express')!;
    expect(app.status).toBe('running');
    expect(await (await fetch(`http://127.0.0.1:${app.port}/`)).text()).toMatch(/^hi \d+$/);
  });

  it('a NestJS app runs the nest build output from start:prod and says to build first', async () => {
    const dir = project({
      name: '@acme/agents',
      scripts: { build: 'nest build', 'start:prod': 'node dist/main' },
      dependencies: { '@nestjs/core': '^11.0.0', '@pm/adapter-nest': '^0.1.0' },
    });
    const init = await pm(['init'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('agents runs dist/main.js (from the "start:prod" script (the nest build output))');
    expect(init.stdout).toContain('Note: dist/main.js does not exist yet: run npm run build before pm run.');
    const { config } = await loadConfig({ dir });
    // Uses @pm/health through the adapter: readiness comes over IPC, liveness from /livez.
    expect(config.apps[0]).toMatchObject({ name: 'agents', health: { http: 'http://localhost:${PORT}/livez' } });
    expect(config.apps[0]!.ready).not.toMatchObject({ kind: 'tcp' });
  });

  it('a project with no entry to run is refused with what was looked at, and nothing is written', async () => {
    const dir = project({ name: 'empty' });
    const init = await pm(['init'], { cwd: dir });
    expect(init.code).toBe(1);
    expect(init.stderr).toContain('pm init found no entry to run');
    expect(init.stderr).toContain('Add "main" to package.json');
    expect((await pm(['init'], { cwd: project({ name: 'x' }, { 'server.js': server }) })).code).toBe(0);
  });

  it('a broken package.json is named, not reported as a crash', async () => {
    const dir = makeTempDir('pm-init-');
    writeFileSync(join(dir, 'package.json'), '{ "name": ');
    const init = await pm(['init'], { cwd: dir });
    expect(init.code).toBe(1);
    expect(init.stderr).toMatch(/package\.json is not valid JSON .*fix it, then run pm init again/);
  });
});
