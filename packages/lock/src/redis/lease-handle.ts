import type { BackendHandle } from '../backend.js';
import { LockCompromisedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { LossReport } from '../loss-report.js';
import type { SendCommand } from './client.js';
import { leaseScripts } from './scripts.js';
import { withTimeout } from '../timeout.js';

// A renewal that failed (connection trouble) is retried sooner than ttl/3, but not in a tight loop.
const MIN_RETRY_MS = 50;

/** What a lease handle needs to know about its lease. */
export interface LeaseInput {
  send: SendCommand;
  key: string;
  token: string;
  ttl: number;
  commandTimeout: number;
  /** `performance.now()` taken before the acquiring request was sent: the lease ends at this + ttl. */
  requestedAt: number;
  fencingToken: number;
  location: string;
  logger: Logger;
  /** Called once when the lease ends for good (released or lost). */
  onEnd: () => void;
}

/**
 * A Redis lease this process holds. Its end is kept on the monotonic clock, measured from before the
 * request that set or renewed it, so it can only end earlier here than on the server. It is renewed at
 * ttl/3; when it is not renewed in time it is declared lost at its end, not later.
 */
export class RedisLeaseHandle implements BackendHandle {
  readonly location: string;
  readonly fencingToken: number;
  private leaseEnd: number;
  private state: 'held' | 'lost' | 'released' = 'held';
  private renewTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly loss: LossReport;

  constructor(private readonly input: LeaseInput) {
    this.location = input.location;
    this.loss = new LossReport(input.logger);
    this.fencingToken = input.fencingToken;
    this.leaseEnd = input.requestedAt + input.ttl;
    this.scheduleRenewal(input.ttl / 3);
    this.scheduleExpiryCheck();
  }

  watch(onLost: (error: Error) => void): void {
    this.loss.watch(onLost);
  }

  /**
   * Milliseconds the lease is certainly still ours; 0 once lost or released. Synchronous: a process
   * that was paused past its lease learns it here before its timers had a chance to run, and the loss
   * is reported (signal aborted, `onCompromised` called) before this returns.
   */
  remaining(): number {
    if (this.state !== 'held') return 0;
    const left = this.leaseEnd - performance.now();
    if (left > 0) return left;
    this.expire();
    return 0;
  }

  verify(): void {
    this.remaining();
  }

  async release(): Promise<void> {
    if (this.state !== 'held') return; // released twice, or lost: nothing of ours is left to delete
    this.state = 'released';
    this.stopTimers();
    this.input.onEnd();
    try {
      await this.runScript(leaseScripts.release, [this.input.token], this.input.commandTimeout);
    } catch (error) {
      // The lease ends by itself within ttl; failing the caller's shutdown for it would help no one.
      this.input.logger.warn(
        { location: this.location, err: String(error) },
        'could not delete the Redis lease; it expires within its ttl',
      );
    }
  }

  private runScript(script: (typeof leaseScripts)[keyof typeof leaseScripts], args: string[], timeout: number): Promise<unknown> {
    const { send, key } = this.input;
    return withTimeout(script.run(send, [key], args), timeout, () => new Error(`no reply from Redis within ${Math.round(timeout)} ms`));
  }

  private scheduleRenewal(delay: number): void {
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(() => void this.renew(), delay);
    this.renewTimer.unref();
  }

  private scheduleExpiryCheck(): void {
    clearTimeout(this.expiryTimer);
    // Timers count from the event loop's cached clock, which lags performance.now() after a busy
    // callback, so this can fire before the lease's end: then it checks again, until the end has passed.
    this.expiryTimer = setTimeout(
      () => {
        if (this.remaining() > 0) this.scheduleExpiryCheck();
      },
      Math.max(0, this.leaseEnd - performance.now()) + 1,
    );
    this.expiryTimer.unref();
  }

  /** Never throws: runs from a timer. */
  private async renew(): Promise<void> {
    if (this.state !== 'held') return;
    const started = performance.now();
    const { ttl, commandTimeout, token } = this.input;
    try {
      const reply = await this.runScript(
        leaseScripts.renew,
        [token, String(ttl)],
        Math.min(commandTimeout, Math.max(1, this.leaseEnd - started)),
      );
      if (this.state !== 'held') return;
      if (Number(reply) === 1) {
        this.leaseEnd = Math.max(this.leaseEnd, started + ttl);
        this.scheduleExpiryCheck();
        this.scheduleRenewal(ttl / 3);
      } else {
        this.lose(
          new LockCompromisedError(
            `The Redis lease ${this.location} is no longer held by this process: it expired or was deleted or taken over (fencing token ${this.fencingToken}). ` +
              'Stop work that needs the lock; writes guarded by the fencing token will be refused.',
          ),
        );
      }
    } catch (error) {
      if (this.state !== 'held') return;
      // Connection trouble: keep trying while the lease lasts. The expiry check declares the loss at its end.
      const left = this.leaseEnd - performance.now();
      this.input.logger.debug(
        { location: this.location, err: String(error), leftMs: Math.round(left) },
        'Redis lease renewal failed; retrying',
      );
      this.scheduleRenewal(Math.max(MIN_RETRY_MS, Math.min(ttl / 3, left / 3)));
    }
  }

  private expire(): void {
    const late = Math.round(performance.now() - this.leaseEnd);
    this.lose(
      new LockCompromisedError(
        `The Redis lease ${this.location} ran out ${late} ms ago without a successful renewal (Redis unreachable, or this process was paused). ` +
          'Another process may hold the lock now; stop work that needs it.',
      ),
    );
  }

  private lose(error: LockCompromisedError): void {
    if (this.state !== 'held') return;
    this.state = 'lost';
    this.stopTimers();
    this.input.onEnd();
    // If the server still has our lease (we lost track, it did not), free it for the next holder now
    // rather than after its ttl. The script checks the token, so it never deletes someone else's lease.
    this.runScript(leaseScripts.release, [this.input.token], this.input.commandTimeout).catch(() => undefined);
    this.loss.report(error);
  }

  private stopTimers(): void {
    clearTimeout(this.renewTimer);
    clearTimeout(this.expiryTimer);
  }
}
