import { setTimeout as sleep } from 'node:timers/promises';
import type { BackendRequest, LockBackend } from './backend.js';
import { InstanceAlreadyRunningError } from './errors.js';
import { fileBackend } from './file/file-backend.js';
import { createInstanceLock, type InstanceLock } from './instance-lock.js';
import { resolveLogger } from './logger.js';
import { resolveLockOptions, type AcquireInstanceLockOptions } from './options.js';
import { createHolderRecord } from './record.js';

// Polling bounds for backends that cannot wake a waiter themselves.
const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 200;
// Even a backend that wakes waiters is re-tried this often, in case its holder went quiet.
const MAX_WAKE_WAIT_MS = 1000;

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function abortable(promise: Promise<void>, signal: AbortSignal | undefined, onAbort?: () => void): Promise<void> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(signal.reason);
    };
    signal.throwIfAborted();
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/**
 * Acquires the instance lock, or throws {@link InstanceAlreadyRunningError} naming the live holder.
 * A stale lock (holder dead, PID reused, or from before a reboot) is taken over at once.
 *
 * @example
 * const lock = await acquireInstanceLock({ name: 'backend', port: 3000 });
 * // ... later, in graceful shutdown:
 * await lock.release();
 */
export async function acquireInstanceLock(options: AcquireInstanceLockOptions = {}): Promise<InstanceLock> {
  const resolved = resolveLockOptions(options);
  const logger = resolveLogger(options.logger);
  const backend: LockBackend = options.backend ?? fileBackend({ path: options.path });
  const record = await createHolderRecord({ name: resolved.name, port: resolved.port, metadata: resolved.metadata });
  // One object for the whole acquisition: backends key state carried between attempts on it.
  const request: BackendRequest = { name: resolved.name, record, logger, acquisition: {} };
  const deadline = Date.now() + resolved.wait;
  let pollMs = FIRST_POLL_MS;

  for (;;) {
    options.signal?.throwIfAborted();
    const attempt = await backend.tryAcquire(request);
    if (attempt.acquired) {
      logger.debug({ location: attempt.handle.location, backend: backend.kind, instanceId: record.instanceId }, 'instance lock acquired');
      return createInstanceLock({
        record,
        handle: attempt.handle,
        backend: backend.kind,
        logger,
        onCompromised: options.onCompromised,
        releaseOnExit: resolved.releaseOnExit,
      });
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      attempt.dispose?.();
      throw new InstanceAlreadyRunningError(attempt.holder, attempt.location, resolved.name, { verified: attempt.holderVerified ?? true });
    }
    logger.debug({ location: attempt.location, holderPid: attempt.holder?.pid, remaining }, 'instance lock busy; waiting');
    if (attempt.waitForChange) {
      await abortable(attempt.waitForChange(Math.min(remaining, MAX_WAKE_WAIT_MS)), options.signal, attempt.dispose);
      // Woken waiters would all retry in the same instant; a little jitter spreads them.
      await sleep(Math.random() * 2);
    } else {
      await abortable(sleep(Math.min(remaining, pollMs * (0.5 + Math.random()))), options.signal);
      pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
    }
  }
}
