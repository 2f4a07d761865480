import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { pm } from './cli-helpers.js';

/** A project whose pm.config.mjs exports a promise that never settles. */
function neverSettlingProject(): { dir: string; file: string } {
  const dir = makeTempDir('pm-hang-');
  const file = join(dir, 'pm.config.mjs');
  writeFileSync(file, 'export default new Promise(() => {});\n');
  return { dir, file };
}

describe('a config that never settles', () => {
  it('loadConfig fails after its timeout with PM_CONFIG_LOAD_FAILED naming the file', async () => {
    const { file } = neverSettlingProject();
    const t0 = Date.now();
    const error = (await loadConfig({ file, timeout: 300 }).catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe('PM_CONFIG_LOAD_FAILED');
    expect(error.message).toContain(file);
    expect(error.message).toContain('did not finish evaluating within 300 ms');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a malformed PM_CONFIG_TIMEOUT_MS is named, not ignored', async () => {
    const { file } = neverSettlingProject();
    const error = (await loadConfig({ file, env: { PM_CONFIG_TIMEOUT_MS: 'soon' } }).catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe('PM_CONFIG_LOAD_FAILED');
    expect(error.message).toContain('PM_CONFIG_TIMEOUT_MS must be a whole number of ms');
  });

  for (const verb of ['start', 'run']) {
    it(`\`pm ${verb}\` exits 1 with a clear error (the env sets the limit), never 0 with nothing started`, async () => {
      const { dir, file } = neverSettlingProject();
      const t0 = Date.now();
      const result = await pm([verb], { cwd: dir, env: { PM_CONFIG_TIMEOUT_MS: '1000' }, timeout: 30_000 });
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stderr).toContain(`Could not load ${file}: it did not finish evaluating within 1000 ms`);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      expect(existsSync(join(dir, '.pm', 'daemon.sock')), 'no daemon left behind').toBe(false);
    });
  }
});
