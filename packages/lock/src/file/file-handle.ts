import type { BackendHandle } from '../backend.js';
import { LockCompromisedError } from '../errors.js';
import { parseLockFile } from '../record.js';
import { lockFileIdentity, readLockFile, removeIfOurs, type FileIdentity } from './atomic-file.js';
import { heldInThisProcess } from './judge.js';
import type { SocketMutex } from './socket-mutex.js';

/** A lock file this process holds, plus the kernel mutex guarding it when there is one. */
export class FileLockHandle implements BackendHandle {
  private timer: NodeJS.Timeout | undefined;
  private released = false;
  private onLost: ((error: Error) => void) | undefined;

  constructor(
    readonly location: string,
    private readonly instanceId: string,
    private identity: FileIdentity,
    private readonly mutex: SocketMutex | null,
    private readonly checkIntervalMs: number,
  ) {
    heldInThisProcess.add(instanceId);
  }

  watch(onLost: (error: Error) => void): void {
    this.onLost = onLost;
    if (this.checkIntervalMs <= 0) return;
    this.timer = setInterval(() => this.verify(), this.checkIntervalMs);
    this.timer.unref();
  }

  /** One check now; a loss is reported once through the watcher. Never throws (it also runs from a timer). */
  verify(): void {
    if (this.released || !this.onLost) return;
    let error: Error | null;
    try {
      error = this.findLoss();
    } catch {
      return; // a failed check is retried next time
    }
    if (error) {
      clearInterval(this.timer);
      const onLost = this.onLost;
      this.onLost = undefined;
      onLost(error);
    }
  }

  /** One lstat per tick; the file is read only when its inode or mtime moved. */
  private findLoss(): Error | null {
    const now = lockFileIdentity(this.location);
    if (!now) return new LockCompromisedError(`The lock file ${this.location} was removed by someone else while this process held it.`);
    if (now.ino === this.identity.ino && now.mtimeMs === this.identity.mtimeMs) return null;
    const content = readLockFile(this.location);
    const parsed = content.kind === 'file' ? parseLockFile(content.text) : null;
    if (parsed?.kind === 'record' && parsed.record.instanceId === this.instanceId) {
      this.identity = now; // touched or copied back, still ours
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
    this.releaseSync();
  }

  releaseSync(): void {
    if (!this.stop()) return;
    try {
      removeIfOurs(this.location, this.instanceId);
    } finally {
      this.mutex?.close(); // after the file is gone, so a woken waiter finds the path free
    }
  }
}
