// The default lock file belongs to the app, not to the folder it was started from.
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTempDir, spawnFixture } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../src/file/app-root.js';

const fixture = new URL('./fixtures/app-root', import.meta.url).pathname;
const lockModule = pathToFileURL(new URL('../dist/index.js', import.meta.url).pathname).href;

describe('the default lock path: data/<name>.pid in the app root', () => {
  it('a second copy started from another working directory is refused, and no data/ appears in either folder', async () => {
    const app = join(makeTempDir(), 'my-app');
    cpSync(fixture, app, { recursive: true });
    const [here, there] = [makeTempDir(), makeTempDir()];
    const env = { LOCK_MODULE: lockModule, PID_FILE_PATH: undefined };
    const first = spawnFixture(join(app, 'bin/start.mjs'), { cwd: here, env });
    expect(await first.waitForLine('locked')).toBe(`locked ${join(app, 'data/rooted.pid')}`);
    const second = spawnFixture(join(app, 'bin/start.mjs'), { cwd: there, env });
    expect((await second.exited).code).toBe(1);
    expect(second.stderr.join('\n')).toContain('PM_INSTANCE_RUNNING');
    expect(second.stderr.join('\n')).toContain(String(first.pid));
    expect(existsSync(join(here, 'data')) || existsSync(join(there, 'data'))).toBe(false);
    first.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(existsSync(join(app, 'data/rooted.pid'))).toBe(false);
  });

  it('falls back to the working directory without an entry script, for a runner in node_modules, or with no package.json', () => {
    const dir = makeTempDir();
    expect(appRoot(undefined, dir)).toBe(dir);
    expect(appRoot('/srv/app/node_modules/vitest/vitest.mjs', dir)).toBe(dir);
    expect(appRoot(join(fixture, 'bin/start.mjs'), dir)).toBe(fixture);
    expect(appRoot('/no/package/json/here.js', dir)).toBe(dir);
  });
});
