import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BackendRequest, InspectResult, LockBackend, TryAcquireResult } from '../backend.js';
import { LockUnwritableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseLockFile, serializeRecord, type HolderRecord } from '../record.js';
import { linkIfAbsent, readLockFile, renameIntoPlace, writeTempFile, type FileIdentity, type LockFileContent } from './atomic-file.js';
import { FileLockHandle } from './file-handle.js';
import { appRoot } from './app-root.js';
import { judgeLockFile, type Verdict } from './judge.js';
import { KernelMutex, mutexAddress, probeMutex } from './kernel-mutex.js';

/** How processes are kept from holding the same lock file at once. */
export type FileExclusion = 'socket' | 'link';

/** Options of {@link fileBackend}. */
export interface FileBackendOptions {
  /**
   * Lock file path. Missing folders are created.
   * @default env `PID_FILE_PATH`, else `data/<name>.pid` in the app's root (the folder of the nearest
   * package.json above the entry script; the working directory when there is none)
   */
  path?: string;
  /**
   * `socket` (Linux): an abstract Unix socket named after the path is the mutex; the kernel frees it the
   * instant the holder dies, and waiters are woken at once. `link`: the record file itself is the mutex
   * (atomic `link()`), with stale takeover serialised by a short-lived guard (proper-lockfile).
   * Use `link` when processes in different network namespaces (containers) share the lock folder.
   * All processes using one path must use the same exclusion.
   * @default 'socket' on Linux, 'link' elsewhere
   */
  exclusion?: FileExclusion;
  /** How often (ms) a held lock checks that its file is still its own; 0 disables. @default 1000 */
  checkInterval?: number;
  /** A lock file without a readable record younger than this (ms) is assumed mid-write, not stale. @default 1000 */
  junkGraceMs?: number;
}

/** Defaults of {@link FileBackendOptions}, in one place (the README is tested against it). */
export const fileBackendDefaults = {
  exclusion: (process.platform === 'linux' ? 'socket' : 'link') as FileExclusion,
  checkInterval: 1000,
  junkGraceMs: 1000,
  // A takeover guard is held for milliseconds; one older than this was left by a crashed taker.
  guardStaleMs: 5000,
} as const;

// Debug hook for the race tests: widens the window between judging a lock stale and replacing it,
// to prove a paused taker never replaces a lock someone else took meanwhile. Unset in production.
async function pauseBeforeTakeover(): Promise<void> {
  const ms = Number(process.env.PM_LOCK_TEST_TAKEOVER_PAUSE_MS);
  if (ms > 0) await sleep(ms);
}

/**
 * Resolves the lock file path: the option, else env PID_FILE_PATH, else data/<name>.pid in the app's root
 * (so a copy started from another folder still meets the same lock). Read at call time.
 */
export function resolveLockPath(path: string | undefined, name: string): string {
  return resolve(path ?? process.env.PID_FILE_PATH ?? join(appRoot(), 'data', `${name}.pid`));
}

const unwritableCodes = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC', 'EEXIST', 'EISDIR']);

function asUnwritable(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  return code && unwritableCodes.has(code) ? new LockUnwritableError(path, error) : error;
}

/** The local file backend: the default of `acquireInstanceLock`. */
export function fileBackend(options: FileBackendOptions = {}): LockBackend & { readonly exclusion: FileExclusion } {
  const exclusion = options.exclusion ?? fileBackendDefaults.exclusion;
  const checkInterval = options.checkInterval ?? fileBackendDefaults.checkInterval;
  const junkGraceMs = options.junkGraceMs ?? fileBackendDefaults.junkGraceMs;

  /** Creates the folder and names the kernel mutex after the folder's real path (symlinked folders agree). */
  function locate(name: string, create: boolean): { path: string; address: string } {
    const path = resolveLockPath(options.path, name);
    if (create) {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (error) {
        throw asUnwritable(path, error);
      }
    }
    let realDir = dirname(path);
    try {
      realDir = realpathSync.native(realDir);
    } catch {
      // Folder not there (inspect only): nobody can hold a lock in it.
    }
    return { path, address: mutexAddress(join(realDir, basename(path))) };
  }

  const judge = (content: LockFileContent, name: string, logger: Logger) => judgeLockFile(content, { name, junkGraceMs, logger });

  function grant(path: string, record: HolderRecord, identity: FileIdentity, mutex: KernelMutex | null): TryAcquireResult {
    return { acquired: true, handle: new FileLockHandle(path, record.instanceId, identity, mutex, checkInterval) };
  }

  function writeRecord(path: string, record: HolderRecord): ReturnType<typeof writeTempFile> {
    try {
      return writeTempFile(path, serializeRecord(record));
    } catch (error) {
      throw asUnwritable(path, error);
    }
  }

  function busy(path: string, verdict: Verdict, extra: Partial<Extract<TryAcquireResult, { acquired: false }>> = {}): TryAcquireResult {
    return { acquired: false, holder: verdict.action === 'busy' ? verdict.holder : undefined, location: path, ...extra };
  }

  function logTakeover(logger: Logger, path: string, verdict: Extract<Verdict, { action: 'takeover' }>): void {
    const fields = { path, reason: verdict.reason, previousPid: verdict.holder?.pid };
    if (verdict.holder) logger.info(fields, 'taking over a stale instance lock');
    else logger.warn(fields, 'taking over an unreadable lock file');
  }

  async function acquireWithSocket(request: BackendRequest, path: string, address: string): Promise<TryAcquireResult> {
    const mutex = await KernelMutex.tryBind(address);
    if (!mutex) return describeHolder(path, address);
    try {
      mutex.answerWith(() => JSON.stringify(request.record));
      // Holding the mutex, no socket user in this namespace can be in here. Try the common case
      // first (no file: one link), and judge what is there only when something is.
      const { temp, identity } = writeRecord(path, request.record);
      let placed = false;
      try {
        if (linkIfAbsent(temp, path)) return grant(path, request.record, identity, mutex);
        const verdict = await judge(readLockFile(path), request.name, request.logger);
        if (verdict.action !== 'takeover') {
          mutex.close();
          return busy(path, verdict);
        }
        await pauseBeforeTakeover();
        logTakeover(request.logger, path, verdict);
        renameIntoPlace(temp, path);
        placed = true;
        return grant(path, request.record, identity, mutex);
      } finally {
        if (!placed) rmSync(temp, { force: true });
      }
    } catch (error) {
      mutex.close();
      throw asUnwritable(path, error);
    }
  }

  /** The holder answers over the mutex socket; its file is the fallback when it does not. */
  async function describeHolder(path: string, address: string): Promise<TryAcquireResult> {
    const probe = await probeMutex(address);
    if (!probe.held) return { acquired: false, holder: undefined, location: path, waitForChange: async () => undefined };
    const answered = probe.answer ? parseLockFile(probe.answer) : null;
    let holder = answered?.kind === 'record' ? answered.record : undefined;
    if (!holder) {
      const content = readLockFile(path);
      const fromFile = content.kind === 'file' ? parseLockFile(content.text) : null;
      holder = fromFile?.kind === 'record' ? fromFile.record : undefined;
    }
    return { acquired: false, holder, location: path, waitForChange: probe.waitForRelease, dispose: probe.close };
  }

  async function acquireWithLink(request: BackendRequest, path: string): Promise<TryAcquireResult> {
    const { temp, identity } = writeRecord(path, request.record);
    let placed = false;
    try {
      if (linkIfAbsent(temp, path)) return grant(path, request.record, identity, null);
      const seen = readLockFile(path);
      const verdict = await judge(seen, request.name, request.logger);
      if (verdict.action !== 'takeover') return busy(path, verdict);
      await pauseBeforeTakeover();
      // Two takers must not both replace the stale file: a guard serialises them, and the file is
      // re-read under it so a lock someone just took is never replaced.
      // Loaded on first use: proper-lockfile installs signal-exit handlers when it is imported.
      const { default: lockfile } = await import('proper-lockfile');
      let releaseGuard: () => Promise<void>;
      try {
        releaseGuard = await lockfile.lock(path, {
          lockfilePath: `${path}.takeover`,
          realpath: false,
          retries: 0,
          stale: fileBackendDefaults.guardStaleMs,
          update: fileBackendDefaults.guardStaleMs / 4,
          onCompromised: () => undefined, // held for milliseconds, and the file is re-checked under it
        });
      } catch {
        return { acquired: false, holder: undefined, location: path };
      }
      try {
        const now = readLockFile(path);
        const unchanged =
          now.kind === seen.kind && (now.kind !== 'file' || (seen.kind === 'file' && now.ino === seen.ino && now.text === seen.text));
        if (!unchanged) return { acquired: false, holder: undefined, location: path };
        logTakeover(request.logger, path, verdict);
        renameIntoPlace(temp, path);
        placed = true;
        return grant(path, request.record, identity, null);
      } finally {
        await releaseGuard().catch(() => undefined);
      }
    } catch (error) {
      throw asUnwritable(path, error);
    } finally {
      if (!placed) rmSync(temp, { force: true });
    }
  }

  return {
    kind: 'file',
    exclusion,
    async tryAcquire(request) {
      const { path, address } = locate(request.name, true);
      return exclusion === 'socket' ? acquireWithSocket(request, path, address) : acquireWithLink(request, path);
    },
    async inspect(request): Promise<InspectResult> {
      const { path, address } = locate(request.name, false);
      const content = readLockFile(path);
      if (exclusion === 'socket') {
        const probe = await probeMutex(address);
        if (probe.held) {
          probe.close();
          const answered = probe.answer ? parseLockFile(probe.answer) : null;
          const fromFile = content.kind === 'file' ? parseLockFile(content.text) : null;
          const holder = answered?.kind === 'record' ? answered.record : fromFile?.kind === 'record' ? fromFile.record : undefined;
          return holder ? { state: 'held', holder, location: path } : { state: 'held', location: path };
        }
      }
      const verdict = await judge(content, request.name, request.logger);
      switch (verdict.action) {
        case 'free':
          return { state: 'free', location: path };
        case 'busy':
          return { state: 'held', holder: verdict.holder, location: path };
        case 'retry':
          return { state: 'held', location: path };
        case 'takeover':
          return verdict.holder ? { state: 'stale', holder: verdict.holder, location: path } : { state: 'stale', location: path };
      }
    },
  };
}
