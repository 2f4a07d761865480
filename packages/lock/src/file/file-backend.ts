import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BackendRequest, InspectResult, LockBackend, TryAcquireResult } from '../backend.js';
import { LockUnwritableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { serializeRecord, type HolderRecord } from '../record.js';
import { linkIfAbsent, readLockFile, renameIntoPlace, writeTempFile, type FileIdentity, type LockFileContent } from './atomic-file.js';
import { FileLockHandle } from './file-handle.js';
import { appRoot } from './app-root.js';
import { judgeLockFile, type Verdict } from './judge.js';
import { busy, describeHolder } from './socket-holder.js';
import { acquireSocketMutex, probeMutex, socketPathOf, type SocketMutex } from './socket-mutex.js';
import { GUARD_STALE_MS, takeTakeoverGuard } from './takeover-guard.js';

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
   * `socket`: a Unix socket beside the lock file (`<path>.sock`, created only by users who may write the
   * folder) is the mutex; the kernel closes it the instant the holder dies, and waiters are woken at once.
   * `link`: the record file itself is the mutex (atomic `link()`), with stale takeover serialised by a
   * short-lived guard (proper-lockfile). All processes using one path must use the same exclusion.
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
  guardStaleMs: GUARD_STALE_MS,
} as const;

/**
 * Internal option (not part of the public types): an async pause between judging a lock stale and
 * replacing it, injected by the race tests to prove a paused taker never replaces a lock someone
 * else took meanwhile.
 */
const BEFORE_TAKEOVER = Symbol.for('@pm/lock.beforeTakeover');

/**
 * Resolves the lock file path: the option, else env PID_FILE_PATH, else data/<name>.pid in the app's root
 * (so a copy started from another folder still meets the same lock). Read at call time.
 */
export function resolveLockPath(path: string | undefined, name: string): string {
  return resolve(path ?? process.env.PID_FILE_PATH ?? join(appRoot(), 'data', `${name}.pid`));
}

const unwritableCodes = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC', 'EEXIST', 'EISDIR', 'ENAMETOOLONG']);

function asUnwritable(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  return code && unwritableCodes.has(code) ? new LockUnwritableError(path, error) : error;
}

function logTakeover(logger: Logger, path: string, verdict: Extract<Verdict, { action: 'takeover' }>): void {
  const fields = { path, reason: verdict.reason, previousPid: verdict.holder?.pid };
  if (verdict.holder) logger.info(fields, 'taking over a stale instance lock');
  else logger.warn(fields, 'taking over an unreadable lock file');
}

/** The local file backend: the default of `acquireInstanceLock`. */
export function fileBackend(options: FileBackendOptions = {}): LockBackend & { readonly exclusion: FileExclusion } {
  const exclusion = options.exclusion ?? fileBackendDefaults.exclusion;
  const checkInterval = options.checkInterval ?? fileBackendDefaults.checkInterval;
  const junkGraceMs = options.junkGraceMs ?? fileBackendDefaults.junkGraceMs;
  const injected = (options as Record<symbol, unknown>)[BEFORE_TAKEOVER];
  const beforeTakeover = typeof injected === 'function' ? (injected as () => Promise<void>) : async () => undefined;

  function locate(name: string, create: boolean): string {
    const path = resolveLockPath(options.path, name);
    if (create) {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (error) {
        throw asUnwritable(path, error);
      }
    }
    return path;
  }

  const judge = (content: LockFileContent, name: string, logger: Logger, mutexFree: boolean) =>
    judgeLockFile(content, { name, junkGraceMs, logger, mutexFree });

  function grant(path: string, record: HolderRecord, identity: FileIdentity, mutex: SocketMutex | null): TryAcquireResult {
    return { acquired: true, handle: new FileLockHandle(path, record.instanceId, identity, mutex, checkInterval) };
  }

  function writeRecord(path: string, record: HolderRecord): ReturnType<typeof writeTempFile> {
    try {
      return writeTempFile(path, serializeRecord(record));
    } catch (error) {
      throw asUnwritable(path, error);
    }
  }

  async function acquireWithSocket(request: BackendRequest, path: string): Promise<TryAcquireResult> {
    let attempt;
    try {
      attempt = await acquireSocketMutex(path);
    } catch (error) {
      throw asUnwritable(path, error);
    }
    if (!attempt.mutex) return describeHolder(path, attempt.probe, (content) => judge(content, request.name, request.logger, false));
    const { mutex } = attempt;
    try {
      mutex.answerWith(() => JSON.stringify(request.record));
      // Holding the mutex, no socket user can be in here. Try the common case first (no file: one
      // link), and judge what is there only when something is.
      const { temp, identity } = writeRecord(path, request.record);
      let placed = false;
      try {
        if (linkIfAbsent(temp, path)) return grant(path, request.record, identity, mutex);
        const verdict = await judge(readLockFile(path), request.name, request.logger, true);
        if (verdict.action !== 'takeover') {
          mutex.close();
          return busy(path, verdict);
        }
        await beforeTakeover();
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

  async function acquireWithLink(request: BackendRequest, path: string): Promise<TryAcquireResult> {
    const { temp, identity } = writeRecord(path, request.record);
    let placed = false;
    try {
      if (linkIfAbsent(temp, path)) return grant(path, request.record, identity, null);
      const seen = readLockFile(path);
      const verdict = await judge(seen, request.name, request.logger, false);
      if (verdict.action !== 'takeover') return busy(path, verdict);
      await beforeTakeover();
      // Two takers must not both replace the stale file: a guard serialises them, and the file is
      // re-read under it so a lock someone just took is never replaced.
      const releaseGuard = await takeTakeoverGuard(path);
      if (!releaseGuard) return { acquired: false, holder: undefined, location: path };
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
        await releaseGuard();
      }
    } catch (error) {
      throw asUnwritable(path, error);
    } finally {
      if (!placed) rmSync(temp, { force: true });
    }
  }

  async function inspect(request: { name: string; logger: Logger }): Promise<InspectResult> {
    const path = locate(request.name, false);
    const content = readLockFile(path);
    let mutexFree = false;
    if (exclusion === 'socket') {
      const probe = await probeMutex(socketPathOf(path));
      if (probe.state === 'held') probe.close();
      if (probe.state !== 'free') {
        const { holder, holderVerified } = await describeHolder(path, probe, (c) => judge(c, request.name, request.logger, false));
        return holder ? { state: 'held', holder, holderVerified, location: path } : { state: 'held', location: path };
      }
      mutexFree = true;
    }
    const verdict = await judge(content, request.name, request.logger, mutexFree);
    switch (verdict.action) {
      case 'free':
        return { state: 'free', location: path };
      case 'busy':
        return { state: 'held', holder: verdict.holder, holderVerified: verdict.verified, location: path };
      case 'retry':
        return { state: 'held', location: path };
      case 'takeover':
        return verdict.holder ? { state: 'stale', holder: verdict.holder, location: path } : { state: 'stale', location: path };
    }
  }

  return {
    kind: 'file',
    exclusion,
    async tryAcquire(request) {
      const path = locate(request.name, true);
      return exclusion === 'socket' ? acquireWithSocket(request, path) : acquireWithLink(request, path);
    },
    inspect,
  };
}
