import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The docs site is built here, inside `pnpm test`: the repository's markdown and the TypeDoc API reference go through
// scripts/prepare-site.mjs and `vitepress build`. An exported name without TSDoc, a broken {@link} or a dead link in any
// page fails the build, and so this test.
const docsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vitepress = join(docsDir, 'node_modules', '.bin', 'vitepress');
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: docsDir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 540_000 });
  return { ...result, output: `${result.stdout}${result.stderr}`, ms: Date.now() - started };
}

describe('docs site', () => {
  it('builds from the repository with no undocumented export and no dead link', () => {
    const out = mkdtempSync(join(tmpdir(), 'pm-docs-site-'));
    temps.push(out);
    const prepared = run(process.execPath, ['scripts/prepare-site.mjs']);
    expect(prepared.status, prepared.output).toBe(0);
    expect(prepared.output).toMatch(/TSDoc coverage: 0 of \d+ exported names without TSDoc/);
    const built = run(vitepress, ['build'], { PM_DOCS_OUT: out });
    expect(built.status, built.output).toBe(0);
    console.log(`docs site: prepare ${prepared.ms} ms, vitepress build ${built.ms} ms`);

    // Every published entry point has its API reference, and the guides, READMEs and screenshots are pages.
    for (const entry of ['lock', 'lock/redis', 'lock/postgres', 'health', 'orchestrator', 'adapter-express', 'adapter-nest']) {
      expect(existsSync(join(out, 'api', '@pm', entry, 'index.html')), `API page of @pm/${entry}`).toBe(true);
    }
    expect(readFileSync(join(out, 'api', '@pm', 'lock', 'functions', 'acquireInstanceLock.html'), 'utf8')).toContain('acquireInstanceLock');
    for (const page of ['index.html', 'docs/index.html', 'docs/guides/kubernetes-probes.html', 'packages/lock/index.html']) {
      expect(existsSync(join(out, page)), page).toBe(true);
    }
    expect(readFileSync(join(out, 'docs', 'dashboard.html'), 'utf8')).toMatch(/<img[^>]+dashboard[^>]*\.png/);
  });

  it('fails the build on a dead link', () => {
    const src = mkdtempSync(join(tmpdir(), 'pm-docs-dead-'));
    temps.push(src);
    mkdirSync(join(src, 'docs'));
    writeFileSync(join(src, 'index.md'), '# Home\n\nSee [the guide](./docs/no-such-guide.md).\n');
    const built = run(vitepress, ['build'], { PM_DOCS_SRC: src, PM_DOCS_OUT: join(src, 'out') });
    expect(built.status).not.toBe(0);
    expect(built.output).toMatch(/dead link/i);
    expect(built.output).toContain('no-such-guide');
  });
});
