import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('lock demo (smoke)', () => {
  it('runs end to end: refusal with the boxed message, takeover after SIGKILL, clean release', () => {
    const demo = fileURLToPath(new URL('../demo.mjs', import.meta.url));
    const result = spawnSync(process.execPath, [demo], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/\[second\] ║ {2}lock-demo instance already running/);
    expect(result.stdout).toMatch(/\[second\] {3}PID: {8}\d+/);
    expect(result.stdout).toContain('second copy exited with code 1');
    expect(result.stdout).toContain('lock file still there: true');
    expect(result.stdout).toContain('lock file removed: true');
  });
});
