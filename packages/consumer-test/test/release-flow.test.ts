// The release flow on a copy of the repo, so publishing cannot break silently:
// `changeset version` applies the pending changesets, then `pnpm publish -r --dry-run` packs what npm would get.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { run } from '../src/project.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const published = inject('packed').map(({ name }) => name);
const copy = mkdtempSync(join(tmpdir(), 'pm-release-'));

afterAll(() => rmSync(copy, { recursive: true, force: true }));

/** The repo as a clean clone would have it (tracked and new files, no ignored ones), plus each package's built dist. */
function copyRepo(): void {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' });
  for (const file of files.split('\0').filter(Boolean)) {
    if (!existsSync(join(repoRoot, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(copy, file));
  }
  for (const dir of readdirSync(join(repoRoot, 'packages'))) {
    if (existsSync(join(repoRoot, 'packages', dir, 'dist')))
      cpSync(join(repoRoot, 'packages', dir, 'dist'), join(copy, 'packages', dir, 'dist'), { recursive: true });
  }
}

const manifest = (dir: string) => JSON.parse(readFileSync(join(copy, 'packages', dir, 'package.json'), 'utf8'));
const packageDirs = () => readdirSync(join(copy, 'packages')).filter((dir) => published.includes(manifest(dir).name));

describe('the release flow (changesets + pnpm publish --dry-run) on a copy of the repo', () => {
  it('changeset version bumps every package with pending changesets and writes its CHANGELOG', async () => {
    copyRepo();
    const pending = readdirSync(join(copy, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
    expect(pending.length, 'no pending changeset: nothing would be released').toBeGreaterThan(0);
    await run(copy, 'node', [join(repoRoot, 'node_modules/@changesets/cli/bin.js'), 'version']);
    for (const dir of packageDirs()) {
      const { name, version, publishConfig } = manifest(dir);
      expect(version, `${name} was not bumped`).not.toBe('0.0.0');
      expect(publishConfig, `${name} publishes without provenance`).toMatchObject({ access: 'public', provenance: true });
      expect(existsSync(join(copy, 'packages', dir, 'CHANGELOG.md')), `${name} has no CHANGELOG.md`).toBe(true);
    }
  });

  it('pnpm publish -r --dry-run packs every published package at its new version, with its CHANGELOG', async () => {
    // Links the workspace from the store the real install filled (no download).
    await run(copy, 'pnpm', ['install', '--offline', '--no-frozen-lockfile', '--ignore-scripts']);
    const output = await run(copy, 'pnpm', ['publish', '-r', '--dry-run', '--no-git-checks']);
    for (const dir of packageDirs()) {
      const { name, version } = manifest(dir);
      expect(output).toContain(`+ ${name}@${version}`);
    }
    expect(output).toMatch(/CHANGELOG\.md/);
    expect(output).not.toMatch(/ERR_PNPM/);
  });
});
