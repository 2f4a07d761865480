import type { LockBackend } from './backend.js';
import { InvalidLockOptionsError, type LockCompromisedError } from './errors.js';
import type { Logger } from './logger.js';

/** Options of `acquireInstanceLock` (and, minus the acquisition fields, `inspectInstanceLock`). */
export interface AcquireInstanceLockOptions {
  /** Lock name: names the default file (`./data/<name>.pid`) and the holder record. @default 'app' */
  name?: string;
  /**
   * Lock file path for the default file backend; missing folders are created.
   * @default env `PID_FILE_PATH`, else `data/<name>.pid` in the app's root (the folder of the nearest
   * package.json above the entry script; the working directory when there is none)
   */
  path?: string;
  /** Port this instance serves on, recorded so the error can print the holder's health URL. @default null */
  port?: number | null;
  /** Extra JSON fields stored in the record under `metadata`. @default {} */
  metadata?: Record<string, unknown>;
  /** Milliseconds to wait for a busy lock before throwing; 0 fails at once. @default 0 */
  wait?: number;
  /** Abort a wait early; the promise rejects with the signal's reason. @default none */
  signal?: AbortSignal;
  /** Where the lock lives. @default the local file backend (`fileBackend({ path })`) */
  backend?: LockBackend;
  /** pino-compatible logger. @default silent; JSON lines on stderr when env PROCESS_MANAGER_DEBUG=true */
  logger?: Logger;
  /** Called once if the held lock is lost (file removed/replaced, lease or connection lost). @default logs a warning */
  onCompromised?: (error: LockCompromisedError) => void;
  /** Remove the lock when the process exits normally (`process.on('exit')`); signals are the app's business. @default true */
  releaseOnExit?: boolean;
}

/** Defaults of {@link AcquireInstanceLockOptions}, in one place (the README is tested against it). */
export const lockDefaults = {
  name: 'app',
  port: null,
  wait: 0,
  releaseOnExit: true,
} as const;

/** Options after defaults and validation. */
export interface ResolvedLockOptions {
  name: string;
  port: number | null;
  metadata: Record<string, unknown>;
  wait: number;
  releaseOnExit: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** Validates every option and reports every problem at once. */
export function resolveLockOptions(options: AcquireInstanceLockOptions): ResolvedLockOptions {
  const problems: string[] = [];
  const { name = lockDefaults.name, port = lockDefaults.port, metadata = {}, wait = lockDefaults.wait } = options;
  if (typeof name !== 'string' || name.trim() === '' || /[/\\\0]/.test(name)) {
    problems.push(`name must be a non-empty string without slashes (got ${JSON.stringify(name)}); it names the lock, e.g. 'backend'`);
  }
  if (options.path !== undefined && (typeof options.path !== 'string' || options.path === '')) {
    problems.push(`path must be a non-empty string (got ${JSON.stringify(options.path)})`);
  }
  if (options.path !== undefined && options.backend !== undefined) {
    problems.push('path applies to the default file backend only: pass it as fileBackend({ path }) or drop one of the two');
  }
  if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    problems.push(`port must be an integer from 0 to 65535, or null (got ${JSON.stringify(port)})`);
  }
  if (!isPlainObject(metadata)) {
    problems.push('metadata must be a plain object of JSON values');
  } else {
    try {
      JSON.stringify(metadata);
    } catch (error) {
      problems.push(`metadata must be JSON-serialisable (${(error as Error).message})`);
    }
  }
  if (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0) {
    problems.push(`wait must be a number of milliseconds >= 0 (got ${JSON.stringify(wait)}); 0 fails at once`);
  }
  if (options.backend !== undefined && (typeof options.backend !== 'object' || typeof options.backend?.tryAcquire !== 'function')) {
    problems.push('backend must be a lock backend such as fileBackend(), redisBackend() or postgresBackend()');
  }
  if (
    options.logger !== undefined &&
    ['debug', 'info', 'warn', 'error'].some(
      (level) => typeof (options.logger as unknown as Record<string, unknown>)?.[level] !== 'function',
    )
  ) {
    problems.push('logger must have debug, info, warn and error methods (a pino logger works)');
  }
  if (options.onCompromised !== undefined && typeof options.onCompromised !== 'function') {
    problems.push('onCompromised must be a function');
  }
  if (options.releaseOnExit !== undefined && typeof options.releaseOnExit !== 'boolean') {
    problems.push('releaseOnExit must be a boolean');
  }
  if (problems.length > 0) throw new InvalidLockOptionsError(problems);
  return {
    name,
    port,
    metadata: metadata as Record<string, unknown>,
    wait,
    releaseOnExit: options.releaseOnExit ?? lockDefaults.releaseOnExit,
  };
}
