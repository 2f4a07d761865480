// The packages as users get them: packed tarballs installed by npm, pnpm and yarn into fresh projects
// outside the repo, imported from ESM and CommonJS, type-checked with `nodenext` and `bundler`, and run.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createProject, install, peerWarning, run, tarballsOf, type Installer } from '../src/project.js';

const here = dirname(fileURLToPath(import.meta.url));
const smokeFixture = join(here, '../fixtures/smoke');
const budget = JSON.parse(readFileSync(join(here, '../size-budget.json'), 'utf8')) as Record<string, number>;

const registryDeps = {
  express: '^5.1.0',
  '@types/express': '^5.0.5',
  '@types/node': '^20.19.25',
  typescript: '~5.9.3',
  '@nestjs/common': '^11.0.0',
  '@nestjs/core': '^11.0.0',
  '@nestjs/platform-express': '^11.0.0',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.1',
};

const packed = inject('packed');
const tarballs = tarballsOf(packed);
const cleanup: string[] = [];

afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

describe('the packed tarballs', () => {
  it('are within their size budget and hold no tests, fixtures or sources', async () => {
    expect(packed.map((p) => p.name).sort()).toEqual(
      Object.keys(budget)
        .filter((k) => !k.startsWith('$'))
        .sort(),
    );
    for (const { name, file, bytes } of packed) {
      expect(bytes, `${name} packs to ${bytes} B, over its budget of ${budget[name]} B (size-budget.json)`).toBeLessThanOrEqual(
        budget[name]!,
      );
      const listing = (await run(dirname(file), 'tar', ['tzf', file])).split('\n').filter(Boolean);
      const stray = listing.filter((entry) => /\/(test|tests|fixtures|src)\/|\.test\.|tsconfig|vitest/.test(entry));
      expect(stray, `${name} ships files a user does not need`).toEqual([]);
      expect(listing).toContain('package/README.md');
      expect(listing).toContain('package/LICENSE');
      const manifest = await run(dirname(file), 'tar', ['xzf', file, '-O', 'package/package.json']);
      expect(manifest, `${name}'s packed manifest keeps a workspace: range`).not.toContain('workspace:');
    }
  });
});

const installers: Installer[] = ['npm', 'pnpm', 'yarn'];

describe.each(installers)('installed with %s', (installer) => {
  let dir: string;

  beforeAll(async () => {
    dir = createProject(installer, tarballs, registryDeps, smokeFixture);
    cleanup.push(dir);
    // The CommonJS twin of the ESM source: the same code must compile against the `require` types.
    copyFileSync(join(dir, 'smoke.mts'), join(dir, 'smoke.cts'));
    const output = await install(dir, installer);
    expect(output, `${installer} printed peer-dependency warnings`).not.toMatch(peerWarning[installer]);
    mkdirSync(join(dir, 'locks'));
  });

  it('type-checks ESM and CommonJS with module nodenext, and ESM with moduleResolution bundler', async () => {
    await run(dir, 'node', [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.nodenext.json']);
    await run(dir, 'node', [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.bundler.json']);
  });

  it.each(['out/smoke.mjs', 'out/smoke.cjs', 'plain.mjs', 'plain.cjs'])('runs %s', async (entry) => {
    expect(await run(dir, 'node', [entry, join(dir, 'locks')])).toMatch(/(smoke|plain) ok/);
  });
});
