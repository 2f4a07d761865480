/** Whoever awaits an app's start: resolved together when it becomes ready, rejected together when it fails or is stopped. */
export class StartWaiters {
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  /** Resolves when the start in progress (or the next one) becomes ready. */
  wait(): Promise<void> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The start became ready: resolves every waiter. */
  resolveAll(): void {
    for (const waiter of this.take()) waiter.resolve();
  }

  /** The start failed or was stopped: rejects every waiter with `error`. */
  rejectAll(error: Error): void {
    for (const waiter of this.take()) waiter.reject(error);
  }

  private take(): { resolve: () => void; reject: (error: Error) => void }[] {
    const waiters = this.waiters;
    this.waiters = [];
    return waiters;
  }
}
