import { promises as fs } from 'node:fs';
import type { BackendHandle } from '../backend.js';
import { LockCompromisedError } from '../errors.js';
import { parseLockFile } from '../record.js';
import { lockFileIdentity, readLockFile, removeIfOursSync } from './atomic-file.js';
import { heldInThisProcess } from './judge.js';
import type { KernelMutex } from './kernel-mutex.js';

/** A lock file this process holds, plus the kernel mutex guarding it when there is one. */
export class FileLockHandle implements BackendHandle {
  private timer: NodeJS.Timeout | undefined;
  private identity: { ino: number; mtimeMs: number } | null = null;
  private released = false;

  constructor(
    readonly location: string,
    private readonly instanceId: string,
    private readonly mutex: KernelMutex | null,
    private readonly checkIntervalMs: number,
  ) {
    heldInThisProcess.add(instanceId);
  }

  /** Records the inode/mtime we wrote so later checks are a single lstat. */
  async remember(): Promise<void> {
    this.identity = await lockFileIdentity(this.location);
  }

  watch(onLost: (error: Error) => void): void {
    if (this.checkIntervalMs <= 0) return;
    let checking = false;
    this.timer = setInterval(() => {
      if (checking || this.released) return;
      checking = true;
      this.findLoss()
        .then((error) => {
          if (error && !this.released) {
            clearInterval(this.timer);
            onLost(error);
          }
        })
        .catch(() => undefined) // a failed check is retried next tick, never thrown from a timer
        .finally(() => (checking = false));
    }, this.checkIntervalMs);
    this.timer.unref();
  }

  private async findLoss(): Promise<Error | null> {
    const now = await lockFileIdentity(this.location);
    if (!now) return new LockCompromisedError(`The lock file ${this.location} was removed by someone else while this process held it.`);
    if (this.identity && now.ino === this.identity.ino && now.mtimeMs === this.identity.mtimeMs) return null;
    const content = await readLockFile(this.location);
    const parsed = content.kind === 'file' ? parseLockFile(content.text) : null;
    if (parsed?.kind === 'record' && parsed.record.instanceId === this.instanceId) {
      this.identity = now; // touched (e.g. copied back), still ours
      return null;
    }
    const who = parsed?.kind === 'record' ? ` by PID ${parsed.record.pid} on ${parsed.record.hostname}` : '';
    return new LockCompromisedError(`The lock file ${this.location} was replaced${who} while this process held it.`);
  }

  private stop(): boolean {
    if (this.released) return false;
    this.released = true;
    clearInterval(this.timer);
    heldInThisProcess.delete(this.instanceId);
    return true;
  }

  async release(): Promise<void> {
    if (!this.stop()) return;
    try {
      const content = await readLockFile(this.location);
      const parsed = content.kind === 'file' ? parseLockFile(content.text) : null;
      // Remove the file only while it is still ours: a lock we lost belongs to someone else now.
      if (parsed?.kind === 'record' && parsed.record.instanceId === this.instanceId) await fs.rm(this.location, { force: true });
    } finally {
      this.mutex?.close(); // after the file is gone, so a woken waiter finds the path free
    }
  }

  releaseSync(): void {
    if (!this.stop()) return;
    removeIfOursSync(this.location, this.instanceId);
    this.mutex?.close();
  }
}
