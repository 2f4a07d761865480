import type { InspectResult } from './backend.js';
import { fileBackend } from './file/file-backend.js';
import { resolveLogger } from './logger.js';
import { resolveLockOptions, type AcquireInstanceLockOptions } from './options.js';

/** Options of {@link inspectInstanceLock}: which lock to look at. */
export type InspectInstanceLockOptions = Pick<AcquireInstanceLockOptions, 'name' | 'path' | 'backend' | 'logger'>;

/**
 * Tells whether a lock is `free`, `held` by a live process, or `stale` (its holder is gone), with the
 * holder's record when known. For tools: it never creates, removes or takes over anything.
 */
export async function inspectInstanceLock(options: InspectInstanceLockOptions = {}): Promise<InspectResult> {
  const { name } = resolveLockOptions(options);
  const backend = options.backend ?? fileBackend({ path: options.path });
  return backend.inspect({ name, logger: resolveLogger(options.logger) });
}
