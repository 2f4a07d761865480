/** A takeover guard is held for milliseconds; one older than this was left by a crashed taker. */
export const GUARD_STALE_MS = 5000;

/**
 * Takes the short guard (`<lockPath>.takeover`, via proper-lockfile) that serialises the replacement
 * of something judged dead at the lock path, or returns null when another taker holds it right now.
 * The caller re-checks what it judged under the guard before replacing it.
 */
export async function takeTakeoverGuard(lockPath: string): Promise<(() => Promise<void>) | null> {
  // Loaded on first use: proper-lockfile installs signal-exit handlers when it is imported.
  const { default: lockfile } = await import('proper-lockfile');
  try {
    const release = await lockfile.lock(lockPath, {
      lockfilePath: `${lockPath}.takeover`,
      realpath: false,
      retries: 0,
      stale: GUARD_STALE_MS,
      update: GUARD_STALE_MS / 4,
      onCompromised: () => undefined, // held for milliseconds, and what it guards is re-checked under it
    });
    return () => release().catch(() => undefined);
  } catch {
    return null;
  }
}
