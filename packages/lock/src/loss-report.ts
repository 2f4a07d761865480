import type { Logger } from './logger.js';

/**
 * Hands a backend's loss of its lock to the watcher `InstanceLock` registers, even when the loss came
 * first (a lease can run out between the acquire reply and `watch()`). A throwing watcher is logged,
 * never thrown into the timer or socket event that noticed the loss.
 */
export class LossReport {
  private listener: ((error: Error) => void) | undefined;
  private early: Error | undefined;

  constructor(private readonly logger: Logger) {}

  /** Registers the watcher; a loss reported before this is delivered now. */
  watch(listener: (error: Error) => void): void {
    this.listener = listener;
    if (this.early) this.deliver(this.early);
  }

  /** Reports the loss to the watcher, or keeps it until there is one. */
  report(error: Error): void {
    if (this.listener) this.deliver(error);
    else this.early = error;
  }

  private deliver(error: Error): void {
    try {
      this.listener?.(error);
    } catch (callbackError) {
      this.logger.error({ err: String(callbackError) }, 'lock loss listener threw');
    }
  }
}
