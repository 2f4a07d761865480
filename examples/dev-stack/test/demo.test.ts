import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, makeTempDir } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';

describe('dev-stack demo (smoke)', () => {
  it('starts the stack under pm, survives a kill -9, refuses a second API, and stops leaving nothing', async () => {
    const demo = fileURLToPath(new URL('../demo.mjs', import.meta.url));
    const env = {
      ...process.env,
      PM_HOME: makeTempDir('pm-dev-stack-'),
      API_PORT: String(await freePort()),
      AGENTS_PORT: String(await freePort()),
      WEB_PORT: String(await freePort()),
      PM_DASHBOARD_PORT: '0',
      NO_COLOR: '1',
    };
    const result = spawnSync(process.execPath, [demo], { env, encoding: 'utf8', timeout: 90_000 });
    const output = result.stdout + result.stderr;
    expect(result.status, output).toBe(0);
    expect(output).toMatch(/api +running/);
    expect(output).toMatch(/agents +running/);
    expect(output).toMatch(/web +running/);
    expect(output).toContain('GET /api/health → 200');
    expect(output).toContain('GET /agents/readyz → 200');
    expect(output).toMatch(/running again \d+ ms after the kill \(restarts: 1\)/);
    expect(output).toContain('express-app instance already running');
    expect(output).toContain('(exit code 1)');
    expect(output).toContain('processes left behind: 0');
  });
});
