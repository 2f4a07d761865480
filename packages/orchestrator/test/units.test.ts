import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { makeTempDir } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { fsyncDir, writeFileAtomic } from '../src/daemon/atomic-write.js';
import { RingBuffer } from '../src/daemon/ring-buffer.js';
import { RotatingWriter } from '../src/daemon/rotating-writer.js';
import { StateStore, type DaemonState } from '../src/session/state-store.js';
import { requestDaemon } from '../src/daemon/client.js';
import { pmPaths } from '../src/daemon/paths.js';
import { ensurePrivateDir } from '../src/daemon/private-dir.js';
import { backoffDelay } from '../src/supervisor/restart-policy.js';

const state = (n: number): DaemonState => ({ version: 1, configFile: null, daemonPid: n, savedAt: new Date(0).toISOString(), apps: [] });

describe('writeFileAtomic', () => {
  it('replaces a file with mode 0600 (even over a 0644 file), leaves no temp file, and never uses a predictable temp name', () => {
    const dir = makeTempDir();
    const file = join(dir, 'control.json');
    writeFileSync(file, 'old', { mode: 0o644 });
    // What an older pm (temp name `<file>.<pid>.tmp`) left after a crash, or another user planted: never touched.
    const stale = `${file}.${process.pid}.tmp`;
    writeFileSync(stale, 'left by a crash', { mode: 0o644 });
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['control.json', `control.json.${process.pid}.tmp`]);
    expect([readFileSync(stale, 'utf8'), statSync(stale).mode & 0o777]).toEqual(['left by a crash', 0o644]);
  });

  it('keeps the replaced file as `previous` when asked', () => {
    const dir = makeTempDir();
    const file = join(dir, 'state.json');
    writeFileAtomic(file, '1', { previous: `${file}.prev` });
    expect(existsSync(`${file}.prev`)).toBe(false);
    writeFileAtomic(file, '2', { previous: `${file}.prev` });
    expect([readFileSync(file, 'utf8'), readFileSync(`${file}.prev`, 'utf8')]).toEqual(['2', '1']);
  });

  it('removes its temp file when the rename fails, and throws', () => {
    const dir = makeTempDir();
    const target = join(dir, 'taken');
    mkdirSync(join(target, 'child'), { recursive: true }); // a non-empty folder cannot be renamed over
    expect(() => writeFileAtomic(target, 'x')).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST|EPERM)$/) }),
    );
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('fsyncDir syncs a real folder and throws for one that does not exist', () => {
    const dir = makeTempDir();
    expect(() => fsyncDir(dir)).not.toThrow();
    expect(() => fsyncDir(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});

describe('StateStore', () => {
  it('writes atomically with mode 0600 and keeps the previous copy', () => {
    const dir = makeTempDir();
    const store = new StateStore(join(dir, 'state.json'));
    expect(store.load()).toEqual({ state: null, problem: null });
    store.save(state(1));
    store.save(state(2));
    expect(store.load().state?.daemonPid).toBe(2);
    expect(JSON.parse(readFileSync(store.previous, 'utf8')).daemonPid).toBe(1);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['state.json', 'state.json.prev']);
  });

  it('reports a corrupt file (PM_STATE_CORRUPT) and recovers from the previous copy', () => {
    const dir = makeTempDir();
    const store = new StateStore(join(dir, 'state.json'));
    store.save(state(1));
    store.save(state(2));
    writeFileSync(store.file, '{ torn');
    const loaded = store.load();
    expect(loaded.state?.daemonPid).toBe(1);
    expect(loaded.problem?.code).toBe('PM_STATE_CORRUPT');
    expect(loaded.problem?.message).toContain('recovered from its previous copy');
    writeFileSync(store.previous, 'null');
    expect(store.load()).toMatchObject({ state: null, problem: { code: 'PM_STATE_CORRUPT' } });
  });
});

describe('bounded memory and disk', () => {
  it('RingBuffer keeps only the newest items', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 0; i < 10; i++) ring.push(i);
    expect(ring.toArray()).toEqual([7, 8, 9]);
    expect(ring.size).toBe(3);
  });

  it("the daemon's own log rotates by size", () => {
    const dir = makeTempDir();
    const writer = new RotatingWriter(join(dir, 'daemon.log'), 1000, 2);
    for (let i = 0; i < 500; i++) writer.write(`${JSON.stringify({ i, msg: 'something happened' })}\n`);
    writer.close();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['daemon.log', 'daemon.log.1', 'daemon.log.2']);
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(1000);
    expect(readFileSync(join(dir, 'daemon.log'), 'utf8')).toContain('"i":499');
  });

  it('backoff grows exponentially, is capped, and carries jitter', () => {
    expect(backoffDelay(0, 100, 1000)).toBe(0);
    expect(backoffDelay(1, 100, 1000, () => 0.5)).toBe(100);
    expect(backoffDelay(3, 100, 1000, () => 0.5)).toBe(400);
    expect(backoffDelay(10, 100, 1000, () => 0.5)).toBe(1000);
    expect(backoffDelay(1, 100, 1000, () => 0)).toBe(80);
    expect(backoffDelay(1, 100, 1000, () => 1)).toBe(120);
  });
});

describe('paths', () => {
  it('uses <project>/.pm unless PM_HOME is set, and a short socket path for deep folders', () => {
    expect(pmPaths('/srv/app', {}).home).toBe('/srv/app/.pm');
    expect(pmPaths('/srv/app', { PM_HOME: '/var/pm' }).lock).toBe('/var/pm/daemon.pid');
    const deep = pmPaths(`/${'d'.repeat(120)}`, {});
    expect(Buffer.byteLength(deep.socket)).toBeLessThan(100);
    expect(existsSync(deep.home)).toBe(false);
    // never straight in the shared temp folder, where another user could take the name first
    expect(dirname(deep.socket)).toBe(`/tmp/pm-${process.getuid!()}`);
    // the same path from every environment (a cron job or sudo must find the daemon a shell started)
    expect(pmPaths(`/${'d'.repeat(120)}`, { XDG_RUNTIME_DIR: '/run/user/7', TMPDIR: '/var/tmp' }).socket).toBe(deep.socket);
  });
});

describe('private socket folder and socket ownership', () => {
  it('ensurePrivateDir creates 0700, tightens a looser folder of ours, and refuses a symlink', () => {
    const base = makeTempDir();
    const fresh = join(base, 'a', 'b');
    ensurePrivateDir(fresh);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    const loose = join(base, 'loose');
    mkdirSync(loose, { mode: 0o755 });
    chmodSync(loose, 0o755);
    ensurePrivateDir(loose);
    expect(statSync(loose).mode & 0o777).toBe(0o700);
    const link = join(base, 'link');
    symlinkSync(fresh, link);
    expect(() => ensurePrivateDir(link)).toThrow(/symlink/);
  });

  // Handing a file to another uid needs root (chown); as any other user there is nothing to set up.
  it.skipIf(process.getuid?.() !== 0)('refuses a socket folder or a socket owned by another user (needs root to chown)', async () => {
    const base = makeTempDir();
    const theirs = join(base, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 4242, 4242);
    expect(() => ensurePrivateDir(theirs)).toThrow(/owned by uid 4242/);
    const socketPath = join(base, 'impostor.sock');
    const impostor = createServer((socket) => socket.end('{"ok":true,"apps":[]}\n'));
    await new Promise<void>((resolve) => impostor.listen(socketPath, resolve));
    try {
      chownSync(socketPath, 4242, 4242);
      await expect(requestDaemon(socketPath, { cmd: 'ping' })).rejects.toThrow(/belongs to uid 4242.*refusing/);
      chownSync(socketPath, process.getuid!(), process.getgid!());
      await expect(requestDaemon(socketPath, { cmd: 'ping' })).resolves.toMatchObject({ ok: true });
    } finally {
      impostor.close();
    }
  });
});
