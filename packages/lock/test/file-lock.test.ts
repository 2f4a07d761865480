import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, waitFor } from '@pm/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  acquireInstanceLock,
  fileBackend,
  formatInstanceRunningMessage,
  inspectInstanceLock,
  InstanceAlreadyRunningError,
  LockCompromisedError,
  LockUnwritableError,
  type Logger,
} from '../src/index.js';
import { exclusions } from './helpers.js';

function recordingLogger() {
  const lines: { level: string; obj: unknown; msg?: string }[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj, msg });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

const backdate = (path: string) => utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

/** A live process that is not us and not our parent, for PID-reuse records. */
function liveStranger(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  onTestFinished(() => void child.kill('SIGKILL'));
  return child.pid!;
}

describe.each(exclusions)('file backend (%s exclusion)', (exclusion) => {
  const setup = (options: { checkInterval?: number } = {}) => {
    const dir = makeTempDir();
    const path = join(dir, 'nested', 'deeper', 'app.pid');
    return { dir, path, backend: fileBackend({ path, exclusion, ...options }) };
  };

  it('creates missing folders and writes the holder record as 0644 JSON', async () => {
    const { path, backend } = setup();
    const lock = await acquireInstanceLock({ name: 'app', port: 3000, metadata: { role: 'api' }, backend });
    const stored = JSON.parse(readFileSync(path, 'utf8'));
    expect(stored).toEqual({ ...lock.info, metadata: { role: 'api' } });
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(lock.location).toBe(path);
    await lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a second holder with PM_INSTANCE_RUNNING naming the first, then frees on release', async () => {
    const { backend } = setup();
    const first = await acquireInstanceLock({ name: 'app', port: 3000, backend });
    const error = await acquireInstanceLock({ name: 'app', backend }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstanceAlreadyRunningError);
    expect((error as InstanceAlreadyRunningError).code).toBe('PM_INSTANCE_RUNNING');
    expect((error as InstanceAlreadyRunningError).lock).toMatchObject({ pid: process.pid, instanceId: first.info.instanceId, port: 3000 });
    await first.release();
    const second = await acquireInstanceLock({ name: 'app', backend });
    await second.release();
  });

  it('release() is idempotent and supports await using', async () => {
    const { path, backend } = setup();
    {
      await using lock = await acquireInstanceLock({ backend });
      expect(existsSync(path)).toBe(true);
      await Promise.all([lock.release(), lock.release()]);
      await lock.release();
      expect(lock.released).toBe(true);
    }
    expect(existsSync(path)).toBe(false);
  });

  it('wait: acquires as soon as the holder releases', async () => {
    const { backend } = setup();
    const first = await acquireInstanceLock({ backend });
    setTimeout(() => void first.release(), 150);
    const started = Date.now();
    const second = await acquireInstanceLock({ backend, wait: 5000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await second.release();
  });

  it('wait: gives up after the wait with the holder named', async () => {
    const { backend } = setup();
    const first = await acquireInstanceLock({ backend });
    const started = Date.now();
    const error = await acquireInstanceLock({ backend, wait: 200 }).catch((e: unknown) => e);
    expect((error as InstanceAlreadyRunningError).lock?.instanceId).toBe(first.info.instanceId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await first.release();
  });

  it('an AbortSignal ends a wait early', async () => {
    const { backend } = setup();
    const first = await acquireInstanceLock({ backend });
    const error = await acquireInstanceLock({ backend, wait: 10_000, signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    await first.release();
  });

  it.each([
    ['empty', ''],
    ['truncated JSON', '{"pid": 12, "hostn'],
    ['binary garbage', '\u0000\u00ff\u0001'],
    ['JSON without pid', '{"owner":"me"}'],
  ])('takes over an old %s lock file with a warning', async (_kind, content) => {
    const { path, backend } = setup();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    backdate(path);
    const { logger, lines } = recordingLogger();
    const lock = await acquireInstanceLock({ backend, logger });
    expect(JSON.parse(readFileSync(path, 'utf8')).instanceId).toBe(lock.info.instanceId);
    expect(lines.some((l) => l.level === 'warn' && l.msg === 'taking over an unreadable lock file')).toBe(true);
    await lock.release();
  });

  it('treats a fresh lock file without a record as mid-write, not stale', async () => {
    const { path, backend } = setup();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '');
    const error = await acquireInstanceLock({ backend }).catch((e: unknown) => e);
    expect((error as InstanceAlreadyRunningError).code).toBe('PM_INSTANCE_RUNNING');
    expect(readFileSync(path, 'utf8')).toBe('');
    // ... and takes it over once the grace period has passed.
    const lock = await acquireInstanceLock({ backend, wait: 3000 });
    await lock.release();
  });

  it('takes over a hand-written PID file whose process is gone', async () => {
    const { path, backend } = setup();
    const dead = spawn('true');
    await new Promise((resolve) => dead.on('exit', resolve));
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `${dead.pid}\n`);
    const lock = await acquireInstanceLock({ backend });
    await lock.release();
  });

  it('a hand-written PID file of a live process proves nothing: never a kill suggestion, and the mutex decides', async () => {
    const { path, backend } = setup();
    const pid = liveStranger();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `${pid}\n`);
    if (exclusion === 'link') {
      // No kernel mutex to ask: a live PID is respected (EPERM or not, alive is alive), but unverified.
      const error = (await acquireInstanceLock({ backend }).catch((e: unknown) => e)) as InstanceAlreadyRunningError;
      expect(error.lock?.pid).toBe(pid);
      expect(error.holderVerified).toBe(false);
      expect(error.message).not.toMatch(/kill/);
      expect(formatInstanceRunningMessage(error)).not.toMatch(/kill/);
      expect(await inspectInstanceLock({ backend })).toMatchObject({ state: 'held', holder: { pid }, holderVerified: false });
    } else {
      // The socket every live holder keeps is free: the PID is someone else's process, and the lock is stale.
      expect(await inspectInstanceLock({ backend })).toMatchObject({ state: 'stale', holder: { pid } });
      const lock = await acquireInstanceLock({ backend });
      expect(JSON.parse(readFileSync(path, 'utf8')).instanceId).toBe(lock.info.instanceId);
      await lock.release();
    }
  });

  it('a bare PID 1 never blocks with the socket mutex, and never yields `kill 1`', async () => {
    const { path, backend } = setup();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '1\n');
    const outcome = await acquireInstanceLock({ backend }).catch((e: unknown) => e);
    if (exclusion === 'socket') {
      expect(outcome).not.toBeInstanceOf(Error);
      await (outcome as Awaited<ReturnType<typeof acquireInstanceLock>>).release();
      return;
    }
    expect((outcome as InstanceAlreadyRunningError).code).toBe('PM_INSTANCE_RUNNING');
    expect((outcome as InstanceAlreadyRunningError).holderVerified).toBe(false);
    expect((outcome as Error).message).not.toMatch(/kill 1\b/);
    expect(formatInstanceRunningMessage(outcome as InstanceAlreadyRunningError)).not.toMatch(/kill (-9 )?1\b/);
  });

  it('a live holder is named as verified, with its kill suggestion', async () => {
    const { backend } = setup();
    const first = await acquireInstanceLock({ name: 'app', backend });
    const error = (await acquireInstanceLock({ name: 'app', backend }).catch((e: unknown) => e)) as InstanceAlreadyRunningError;
    expect(error.holderVerified).toBe(true);
    expect(error.message).toContain(`kill ${process.pid}`);
    expect(await inspectInstanceLock({ name: 'app', backend })).toMatchObject({ state: 'held', holderVerified: true });
    await first.release();
  });

  it('PID reuse: a record naming a live process with another start time is stale', async () => {
    const { path, backend } = setup();
    const pid = liveStranger();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify({ pid, hostname: 'h', instanceId: 'old', startedAt: 'x', processStart: 'proc:1', bootId: null }));
    expect(await inspectInstanceLock({ backend })).toMatchObject({ state: 'stale', holder: { pid } });
    const { logger, lines } = recordingLogger();
    const lock = await acquireInstanceLock({ backend, logger });
    expect(lines.find((l) => l.msg === 'taking over a stale instance lock')?.obj).toMatchObject({
      reason: expect.stringMatching(/another process/),
    });
    await lock.release();
  });

  it('a record from before a reboot is stale', async () => {
    const { path, backend } = setup();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify({ pid: process.ppid, bootId: 'another-boot', processStart: null }));
    if (process.platform === 'linux') expect((await inspectInstanceLock({ backend })).state).toBe('stale');
  });

  it('a record naming our own PID that we do not hold is from an earlier life (container restart)', async () => {
    const { path, backend } = setup();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify({ pid: process.pid, instanceId: 'previous-life' }));
    const lock = await acquireInstanceLock({ backend });
    expect(lock.info.pid).toBe(process.pid);
    await lock.release();
  });

  it('never writes through a symlink planted at the lock path', async () => {
    const { dir, path, backend } = setup();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    mkdirSync(join(path, '..'), { recursive: true });
    symlinkSync(victim, path);
    const lock = await acquireInstanceLock({ backend });
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(path).isSymbolicLink()).toBe(false);
    await lock.release();
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('an unwritable location gives PM_LOCK_UNWRITABLE naming the path', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'a-file'), '');
    const path = join(dir, 'a-file', 'app.pid'); // a folder that can never be created, even by root
    const error = await acquireInstanceLock({ backend: fileBackend({ path, exclusion }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockUnwritableError);
    expect((error as LockUnwritableError).code).toBe('PM_LOCK_UNWRITABLE');
    expect((error as Error).message).toContain(path);
  });

  it('reports a removed lock file as compromised (signal + callback), and release stays quiet', async () => {
    const { path, backend } = setup({ checkInterval: 20 });
    const reported: LockCompromisedError[] = [];
    const lock = await acquireInstanceLock({ backend, onCompromised: (e) => reported.push(e) });
    const heldSignal = lock.signal; // read while held: the same signal must abort later
    const aborts: unknown[] = [];
    heldSignal.addEventListener('abort', () => aborts.push(heldSignal.reason));
    expect(heldSignal.aborted).toBe(false);
    const { rmSync } = await import('node:fs');
    rmSync(path);
    await waitFor(() => lock.compromised, { timeout: 2000, message: 'compromise' });
    expect(aborts).toHaveLength(1); // before reading lock.signal again, which could abort it late
    expect(aborts[0]).toBeInstanceOf(LockCompromisedError);
    expect(lock.signal).toBe(heldSignal);
    expect(lock.signal.reason).toBeInstanceOf(LockCompromisedError);
    expect((lock.signal.reason as LockCompromisedError).code).toBe('PM_LOCK_COMPROMISED');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reported).toHaveLength(1);
    expect(reported[0]!.message).toMatch(/removed/);
    await lock.release();
  });

  it('throwIfCompromised() checks now, without waiting for the next background check', async () => {
    const { path, backend } = setup({ checkInterval: 60_000 });
    const reported: LockCompromisedError[] = [];
    const lock = await acquireInstanceLock({ backend, onCompromised: (e) => reported.push(e) });
    expect(() => lock.throwIfCompromised()).not.toThrow();
    const { rmSync } = await import('node:fs');
    rmSync(path);
    expect(() => lock.throwIfCompromised()).toThrow(LockCompromisedError);
    expect(() => lock.throwIfCompromised()).toThrow(LockCompromisedError);
    expect(reported).toHaveLength(1);
    await lock.release();
    expect(() => lock.throwIfCompromised()).toThrow(LockCompromisedError);
  });

  it("reports a replaced lock file as compromised and leaves the new owner's file alone on release", async () => {
    const { path, backend } = setup({ checkInterval: 20 });
    const lock = await acquireInstanceLock({
      backend,
      onCompromised: () => {
        throw new Error('a throwing callback is contained');
      },
    });
    const intruder = JSON.stringify({ pid: 999_999, instanceId: 'intruder', hostname: 'elsewhere' });
    writeFileSync(path, intruder);
    await waitFor(() => lock.compromised, { timeout: 2000, message: 'compromise' });
    expect((lock.signal.reason as Error).message).toMatch(/replaced by PID 999999/);
    await lock.release();
    expect(readFileSync(path, 'utf8')).toBe(intruder);
  });

  it('inspectInstanceLock: free, held, stale, and changes nothing', async () => {
    const { path, backend } = setup();
    expect(await inspectInstanceLock({ backend })).toEqual({ state: 'free', location: path });
    expect(existsSync(join(path, '..'))).toBe(false);
    const lock = await acquireInstanceLock({ name: 'app', backend });
    expect(await inspectInstanceLock({ name: 'app', backend })).toMatchObject({
      state: 'held',
      holder: { instanceId: lock.info.instanceId },
    });
    await lock.release();
    writeFileSync(path, JSON.stringify({ pid: 999_999 }));
    const before = readFileSync(path, 'utf8');
    expect(await inspectInstanceLock({ backend })).toMatchObject({ state: 'stale', holder: { pid: 999_999 } });
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});

describe('socket mutex file', () => {
  it('sits beside the lock file while held (owner-only in a folder only the owner may write), and goes on release', async () => {
    const dir = makeTempDir();
    chmodSync(dir, 0o755);
    const path = join(dir, 'app.pid');
    const lock = await acquireInstanceLock({ backend: fileBackend({ path, exclusion: 'socket' }) });
    const socket = lstatSync(`${path}.sock`);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['app.pid', 'app.pid.sock']); // no private names left behind
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('works for a lock path longer than a Unix socket address', async () => {
    const deep = join(makeTempDir(), 'a-folder-name-long-enough-to-push-the-socket-path-past-the-limit'.repeat(2));
    const path = join(deep, 'app.pid');
    expect(Buffer.byteLength(`${path}.sock`)).toBeGreaterThan(108);
    const backend = fileBackend({ path, exclusion: 'socket' });
    const lock = await acquireInstanceLock({ backend });
    const error = (await acquireInstanceLock({ backend }).catch((e: unknown) => e)) as InstanceAlreadyRunningError;
    expect(error.lock?.instanceId).toBe(lock.info.instanceId);
    await lock.release();
    await (await acquireInstanceLock({ backend })).release();
  });
});

describe('path resolution', () => {
  it('uses the path option, else PID_FILE_PATH, else ./data/<name>.pid', async () => {
    const dir = makeTempDir();
    const cwd = process.cwd();
    const saved = process.env.PID_FILE_PATH;
    onTestFinished(() => {
      process.chdir(cwd);
      if (saved === undefined) delete process.env.PID_FILE_PATH;
      else process.env.PID_FILE_PATH = saved;
    });
    process.chdir(dir);
    delete process.env.PID_FILE_PATH;
    const byName = await acquireInstanceLock({ name: 'worker' });
    expect(byName.location).toBe(join(process.cwd(), 'data', 'worker.pid'));
    await byName.release();
    process.env.PID_FILE_PATH = join(dir, 'env', 'x.pid');
    const byEnv = await acquireInstanceLock({ name: 'worker' });
    expect(byEnv.location).toBe(join(dir, 'env', 'x.pid'));
    await byEnv.release();
    const byOption = await acquireInstanceLock({ name: 'worker', path: join(dir, 'opt.pid') });
    expect(byOption.location).toBe(join(dir, 'opt.pid'));
    await byOption.release();
  });
});
