import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTempDir } from '@pm/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireInstanceLock,
  fileBackend,
  formatInstanceRunningMessage,
  inspectInstanceLock,
  type InstanceAlreadyRunningError,
} from '../src/index.js';
import { fixture } from './helpers.js';
import { createLocalUser, otherUserUnavailable, runAsUser, type LocalUser } from './other-user.js';

// Issue 11.2: another local user must not block or impersonate the holder of a lock whose folder
// they cannot write, and no error may tell anyone to kill a process whose identity (PID, start
// time, user) was not verified. The attacker is a real second user, created here.
const skip = otherUserUnavailable !== null && process.env.CI !== 'true';
if (skip) console.warn(`other-user.test.ts skipped: ${otherUserUnavailable}`);

describe.skipIf(skip)('another local user', () => {
  let user: LocalUser;
  beforeAll(() => {
    if (otherUserUnavailable) throw new Error(`cannot run under CI=true: ${otherUserUnavailable}`);
    user = createLocalUser();
  });
  afterAll(() => user?.remove());

  /** A lock folder others may enter and read (mode 0755) but not write, like an app's data/ folder. */
  function lockIn(mode: number) {
    const dir = join(makeTempDir(), 'data');
    mkdirSync(dir);
    chmodSync(dir, mode);
    chmodSync(join(dir, '..'), 0o755);
    return join(dir, 'app.pid');
  }

  const squat = async (path: string, ...attacks: string[]) =>
    JSON.parse(await runAsUser(user, fixture('squatter.mjs'), [path, ...attacks])) as Record<string, string>;

  it('who cannot write the folder can neither block nor impersonate the holder', async () => {
    const path = lockIn(0o755);
    const tried = await squat(path, 'socket', 'record');
    expect(tried).toEqual({ abstract: 'bound', socket: 'EACCES', record: 'EACCES' });
    const backend = fileBackend({ path });
    const lock = await acquireInstanceLock({ name: 'app', backend });
    const second = (await acquireInstanceLock({ name: 'app', backend }).catch((e: unknown) => e)) as InstanceAlreadyRunningError;
    expect(second.code).toBe('PM_INSTANCE_RUNNING');
    expect(second.lock).toMatchObject({ pid: process.pid, instanceId: lock.info.instanceId });
    expect(second.holderVerified).toBe(true);
    expect(await inspectInstanceLock({ name: 'app', backend })).toMatchObject({ state: 'held', holder: { pid: process.pid } });
    await lock.release();
  });

  it("another user's tools still see the holder, though they may not connect to its socket", async () => {
    const path = lockIn(0o755);
    const lock = await acquireInstanceLock({ name: 'app', backend: fileBackend({ path }) });
    const dist = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
    const seen = JSON.parse(await runAsUser(user, fixture('inspector.mjs'), [dist, path]));
    expect(seen).toMatchObject({
      inspected: { state: 'held', holder: { pid: process.pid, instanceId: lock.info.instanceId }, holderVerified: true },
      acquired: 'PM_LOCK_UNWRITABLE',
    });
    await lock.release();
  });

  it("a folder writer's forged record naming PID 1 never blocks the socket mutex", async () => {
    const path = lockIn(0o777);
    expect(await squat(path, 'record')).toMatchObject({ record: 'written' });
    const lock = await acquireInstanceLock({ name: 'app', backend: fileBackend({ path }) });
    expect(JSON.parse(readFileSync(path, 'utf8')).instanceId).toBe(lock.info.instanceId);
    await lock.release();
  });

  it('a folder writer holding the socket is named as unverified, never with a kill suggestion', async () => {
    const path = lockIn(0o777);
    expect(await squat(path, 'socket')).toMatchObject({ socket: 'bound' });
    const error = (await acquireInstanceLock({ name: 'app', backend: fileBackend({ path }) }).catch(
      (e: unknown) => e,
    )) as InstanceAlreadyRunningError;
    expect(error.code).toBe('PM_INSTANCE_RUNNING');
    expect(error.holderVerified).toBe(false);
    expect(error.message).not.toMatch(/\bkill\b/);
    expect(formatInstanceRunningMessage(error)).not.toMatch(/\bkill\b/);
    expect(await inspectInstanceLock({ name: 'app', backend: fileBackend({ path }) })).toMatchObject({
      state: 'held',
      holderVerified: false,
    });
  });
});
