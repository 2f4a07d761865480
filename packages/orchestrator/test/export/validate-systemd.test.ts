import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { writeExport } from '../../src/export/write.js';
import { cases, exportCase } from './helpers.js';

function analyzer(): string | null {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return 'systemd-analyze';
  } catch {
    return null;
  }
}

const tool = analyzer();
if (!tool && process.env.CI === 'true')
  throw new Error('systemd-analyze is missing: install Debian package systemd (CI must validate units)');
if (!tool) console.warn('skipping systemd-analyze verify: systemd-analyze is not installed (Debian package systemd)');

describe.skipIf(!tool)('pm export systemd output passes systemd-analyze verify', () => {
  it.each(Object.keys(cases) as (keyof typeof cases)[])('%s', async (name) => {
    // Real node and pm paths: verify checks that each ExecStart program exists.
    const result = await exportCase(name, 'systemd', { nodePath: process.execPath, pm: undefined });
    const dir = makeTempDir('pm-export-systemd-');
    writeExport(dir, result.files);
    const run = spawnSync(tool!, ['verify', '--man=no', ...result.files.map((f) => join(dir, f.path))], { encoding: 'utf8' });
    expect({ code: run.status, output: `${run.stdout}${run.stderr}` }).toEqual({ code: 0, output: '' });
  });

  it('reports a broken unit (the check can fail)', async () => {
    const result = await exportCase('dev-stack', 'systemd', { nodePath: '/nonexistent/node' });
    const dir = makeTempDir('pm-export-systemd-');
    writeExport(dir, result.files);
    const run = spawnSync(tool!, ['verify', '--man=no', join(dir, result.files[0]!.path)], { encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toContain('/nonexistent/node');
  });
});
