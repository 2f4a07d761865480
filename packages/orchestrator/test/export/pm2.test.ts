import { createRequire } from 'node:module';
import { join } from 'node:path';
import { makeTempDir } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/index.js';
import { writeExport } from '../../src/export/write.js';
import { exportCase, loadCase } from './helpers.js';

describe('pm export pm2', () => {
  it('writes an ecosystem file PM2 (and pm itself) can load, with the same apps and settings', async () => {
    const original = await loadCase('every-key');
    const dir = makeTempDir('pm-export-pm2-');
    const result = await exportCase('every-key', 'pm2', { outDir: dir });
    writeExport(dir, result.files);
    const file = join(dir, 'ecosystem.config.cjs');
    const ecosystem = createRequire(import.meta.url)(file) as { apps: Record<string, unknown>[] };
    const api = ecosystem.apps.find((a) => a.name === 'api')!;
    const apiOriginal = original.apps.find((a) => a.name === 'api')!;
    expect(api).toMatchObject({
      script: apiOriginal.script,
      cwd: apiOriginal.cwd,
      args: apiOriginal.args,
      max_memory_restart: '256M',
      stop_exit_codes: [0],
    });
    expect(ecosystem.apps.find((a) => a.name === 'worker')).toMatchObject({ wait_ready: true, listen_timeout: 30_000, autorestart: false });
    // Round trip through pm's own PM2 import: the fields both sides share survive.
    const { config } = await loadConfig({ file });
    expect(config.apps.map((a) => a.name)).toEqual(original.apps.map((a) => a.name));
    for (const back of config.apps) {
      const app = original.apps.find((a) => a.name === back.name)!;
      expect({
        cwd: back.cwd,
        env: back.env,
        stop: back.stop.timeout,
        maxRestarts: back.restart.maxRestarts,
        minUptime: back.restart.minUptime,
      }).toEqual({
        cwd: app.cwd,
        env: { ...app.env, ...(typeof app.port === 'number' ? { PORT: String(app.port) } : {}) },
        stop: app.stop.timeout,
        maxRestarts: app.restart.maxRestarts,
        minUptime: app.restart.minUptime,
      });
    }
  });
});
