import { performance } from 'node:perf_hooks';
import { CheckFailedError, CheckTimeoutError, type PmHealthError } from '../errors.js';
import { detailsOf, type CheckDetails } from '../checks/details.js';
import type { CheckFunction } from './options.js';

/** Outcome of one check run. */
export interface CheckResult {
  /** `pass`, or `fail` when it threw, rejected, returned `false` or timed out. */
  status: 'pass' | 'fail';
  /** Whether a failure makes the report unhealthy. */
  critical: boolean;
  /** How long the run took (up to the timeout), in ms. */
  durationMs: number;
  /** The failure, if any; the report shows its message only unless `exposeDetails` is on. */
  error?: PmHealthError;
  /** Numbers a built-in check measured (latency, pool sizes, free bytes). */
  details?: CheckDetails;
}

/** Which probes run a check besides `/health`. */
export interface CheckProbes {
  readiness: boolean;
  liveness: boolean;
}

/**
 * Runs one named check so that load never multiplies its cost: concurrent callers share one
 * in-flight run, a result may be cached for `cacheMs`, and a run that outlives its timeout keeps
 * its slot until it settles, so a hung dependency is called once, not once per request.
 */
export class CheckRunner {
  /** The current run, shared by every caller until it settles or times out. */
  private shared: Promise<CheckResult> | undefined;
  /** Start time of a run that timed out and has not settled yet. */
  private hungSince: number | undefined;
  private last: { at: number; result: CheckResult } | undefined;

  constructor(
    readonly name: string,
    private readonly fn: CheckFunction,
    readonly timeout: number,
    readonly critical: boolean,
    private readonly cacheMs: number,
    readonly probes: CheckProbes = { readiness: false, liveness: false },
  ) {}

  /** The cached result while it is fresh and no run is in flight, without starting anything (lets a report stay synchronous). */
  fresh(now: number = performance.now()): CheckResult | undefined {
    if (this.shared || !this.last || now - this.last.at >= this.cacheMs) return undefined;
    return this.last.result;
  }

  /** The check's result: cached, shared, or from a new run. Never rejects. */
  run(): Promise<CheckResult> {
    if (this.shared) return this.shared;
    const now = performance.now();
    if (this.last && now - this.last.at < this.cacheMs) return Promise.resolve(this.last.result);
    if (this.hungSince !== undefined) {
      // The previous run is still hanging past its timeout: report that rather than start another.
      return Promise.resolve(this.fail(new CheckTimeoutError(this.name, this.timeout, true), now - this.hungSince));
    }
    return this.execute(now);
  }

  /** Starts a run and makes it the shared one before the check is called (a check may fail synchronously). */
  private execute(start: number): Promise<CheckResult> {
    let resolve!: (result: CheckResult) => void;
    const run = new Promise<CheckResult>((r) => (resolve = r));
    this.shared = run;
    const controller = new AbortController();
    let done = false;
    const finish = (result: CheckResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // Only this run's own slot: never clear a newer run's.
      if (this.shared === run) this.shared = undefined;
      this.last = { at: performance.now(), result };
      resolve(result);
    };
    const timer = setTimeout(() => {
      this.hungSince = start;
      controller.abort(new CheckTimeoutError(this.name, this.timeout));
      finish(this.fail(new CheckTimeoutError(this.name, this.timeout), performance.now() - start));
    }, this.timeout);
    // A pending check must not keep an otherwise finished process alive.
    timer.unref();

    const settle = (value: unknown, failed: boolean) => {
      if (done) {
        this.hungSince = undefined; // the late run finally settled: the next request runs the check again
        return;
      }
      const durationMs = performance.now() - start;
      const details = detailsOf(value);
      finish(
        failed || value === false
          ? this.fail(new CheckFailedError(this.name, failed ? value : false), durationMs, details)
          : this.pass(durationMs, details),
      );
    };
    // A check that throws synchronously (a plain function, not an async one) fails like one that rejects.
    let value: unknown;
    try {
      value = this.fn(controller.signal);
    } catch (error) {
      settle(error, true);
      return run;
    }
    Promise.resolve(value).then(
      (v) => settle(v, false),
      (e: unknown) => settle(e, true),
    );
    return run;
  }

  private pass(durationMs: number, details?: CheckDetails): CheckResult {
    const result: CheckResult = { status: 'pass', critical: this.critical, durationMs: round(durationMs) };
    if (details) result.details = details;
    return result;
  }

  private fail(error: PmHealthError, durationMs: number, details?: CheckDetails): CheckResult {
    const result: CheckResult = { status: 'fail', critical: this.critical, durationMs: round(durationMs), error };
    if (details) result.details = details;
    return result;
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
