import { join } from 'node:path';
import { makeTempDir } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { startHolder } from './helpers.js';

describe('logging', () => {
  it('is silent by default', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const holder = await startHolder(path, 'socket');
    holder.child.stdin!.write('release\n');
    await holder.exited;
    expect(holder.stderr).toEqual([]);
  });

  it('PROCESS_MANAGER_DEBUG=true writes JSON debug lines to stderr', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const holder = await startHolder(path, 'socket', { env: { PROCESS_MANAGER_DEBUG: 'true' } });
    holder.child.stdin!.write('release\n');
    await holder.exited;
    const lines = holder.stderr.map((line) => JSON.parse(line) as { level: string; msg: string; location?: string });
    expect(lines.map((l) => l.msg)).toEqual(['instance lock acquired', 'instance lock released']);
    expect(lines.every((l) => l.level === 'debug' && l.location === path)).toBe(true);
  });
});
