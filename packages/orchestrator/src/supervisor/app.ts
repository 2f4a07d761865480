import { join } from 'node:path';
import { findPortHolder } from '@pm/lock';
import type { ResolvedApp } from '../config/resolve.js';
import { StartFailedError } from '../errors.js';
import { PortInUseError } from '../port-in-use-error.js';
import type { AppContext } from './context.js';
import type { AppRecord, AppStatus } from './events.js';
import { AppLogFile } from './log-file.js';
import { isPortFree } from './ports.js';
import { isSameProcess, sameProcess } from './proc.js';
import type { AnnounceMemory } from './readiness/index.js';
import { decideRestart, relevantHistory, stayDownReason, type RunOutcome } from './restart-policy.js';
import { Run, type RunExit, type RunHooks, type RunOptions } from './run.js';
import { StartWaiters } from './start-waiters.js';
import { Transitions } from './transitions.js';

/**
 * Supervises one app across its runs: the commands (start, stop, restart, adopt) and the state
 * transitions between them. One spawn and what lives with it is a {@link Run}; what follows a run's
 * end is {@link decideRestart}.
 */
export class AppSupervisor {
  /** Lifecycle state (see the README's States). */
  status: AppStatus = 'stopped';
  /** Restarts since the app was first started (automatic and asked for). */
  restarts = 0;
  /** The app's log file, shared by all its runs. */
  readonly log: AppLogFile;

  /** The latest run: live, starting, or the one that ended last. Only it can call back (older ones are disposed). */
  private run: Run | null = null;
  /** The latest run that had a process: its start token and time are what the state file shows. */
  private spawned: Run | null = null;
  private wanted = false;
  /** Counts stop() calls: a start or restart that sees it change was overtaken by a stop. */
  private stops = 0;
  /**
   * Ending a run (stop, restart, a recovery, or the leftovers of a run that exited on its own): its
   * initiator applies what follows, and start()/restart()/stop() wait for it.
   */
  private readonly ending = new Transitions((error) => this.ctx.logger.error({ err: error, app: this.app.name }, 'ending a run failed'));
  private readonly memory: AnnounceMemory = { announces: null };
  /** The runs since the last start(), as the restart policy weighs them. */
  private history: RunOutcome[] = [];
  private backoffTimer: NodeJS.Timeout | null = null;
  private readonly starts = new StartWaiters();
  private stopPromise: Promise<void> | null = null;
  private removeOutput: (() => void) | null = null;

  constructor(
    readonly app: ResolvedApp,
    private readonly ctx: AppContext,
  ) {
    this.log = new AppLogFile(join(ctx.logDir, `${app.name}.log`), app.logs.maxSize, app.logs.keep);
    if (ctx.output) this.removeOutput = this.log.onLine((line) => ctx.emit({ type: 'output', app: app.name, line, time: Date.now() }));
  }

  /** The app's live process, or null. */
  get pid(): number | null {
    return this.run?.pid ?? null;
  }

  /** Start-time token of the latest process. */
  get token(): string | null {
    return this.spawned?.token ?? null;
  }

  /** Epoch ms the latest process was spawned. */
  get startedAt(): number | null {
    return this.spawned?.startedAt ?? null;
  }

  /** The port of the latest run (an `auto` port once chosen), or the fixed port. */
  get port(): number | null {
    return this.run ? this.run.port : typeof this.app.port === 'number' ? this.app.port : null;
  }

  /** Starts the app (if not already up) and resolves once it is ready; rejects with StartFailedError or PortInUseError. */
  start(): Promise<void> {
    return this.startUnlessStopped(this.stops);
  }

  /** Stops the whole process tree (stop signal, then SIGKILL after the timeout); no restart follows. */
  stop(): Promise<void> {
    this.stopPromise ??= this.doStop().finally(() => {
      this.stopPromise = null;
    });
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    this.wanted = false;
    this.stops++;
    this.clearBackoff();
    this.starts.rejectAll(new StartFailedError(this.app.name, 'it was stopped before it was ready'));
    while (this.ending.current) await this.ending.current; // a restart, a recovery, or a crashed run's leftovers being ended
    if (this.pid !== null) {
      this.setStatus('stopping');
      await this.ending.run(() => this.run!.kill());
    } else {
      this.run?.dispose(); // a run still choosing its port never spawns
      if (this.status === 'errored') return; // the policy gave up: a stop (or the daemon exiting) must not hide that
    }
    this.setStatus('stopped');
  }

  /** Stops the app (if up) and starts it again; resolves when ready. */
  async restart(): Promise<void> {
    const stops = this.stops;
    await this.settled();
    this.clearBackoff();
    const wasUp = this.pid !== null;
    if (wasUp) {
      this.setStatus('stopping');
      await this.ending.run(() => this.run!.kill());
    }
    if (this.stops !== stops) throw new StartFailedError(this.app.name, 'it was stopped before it was ready');
    if (wasUp || this.status !== 'stopped') this.restarts++;
    this.status = 'stopped';
    return this.startUnlessStopped(stops);
  }

  /** start(), rejecting if a stop begins (`this.stops` moves past `stops`) before the new run is spawned. */
  private async startUnlessStopped(stops: number): Promise<void> {
    for (;;) {
      // An in-progress stop or end of a run finishes first: a new run never overlaps the old one,
      // whose exit must still be seen for that end to complete.
      await this.settled();
      if (this.stops !== stops) throw new StartFailedError(this.app.name, 'it was stopped before it was ready');
      if (this.status === 'running') return;
      if (this.status === 'starting') return this.starts.wait();
      if (typeof this.app.port !== 'number') break;
      const free = await isPortFree(this.app.port);
      if (this.stopPromise || this.ending.current || this.stops !== stops || this.isUp()) continue; // moved on meanwhile: look again
      if (!free) throw new PortInUseError(this.app.name, this.app.port, await findPortHolder(this.app.port));
      break;
    }
    // From here to spawnRun's status change nothing awaits, so two starts cannot both spawn.
    this.wanted = true;
    this.history = [];
    this.memory.announces = null; // the app may have changed since: watch for an announcement again
    this.clearBackoff();
    const ready = this.starts.wait();
    this.spawnRun();
    return ready;
  }

  /** Takes over a process a previous daemon left (same pid and start time). Resolves false when it is gone. */
  async adopt(record: AppRecord): Promise<boolean> {
    const pid = record.pid;
    if (pid === null || !(await sameProcess(pid, record.startToken))) return false;
    this.run?.dispose();
    this.run = this.spawned = Run.adopt(this.app, this.ctx, this.runOptions(), { ...record, pid });
    this.wanted = true;
    this.restarts = record.restarts;
    this.setStatus('running');
    this.run.startMonitors();
    return true;
  }

  /** What the daemon persists about this app. */
  record(): AppRecord {
    return {
      name: this.app.name,
      status: this.status,
      pid: this.pid,
      startToken: this.token,
      port: this.port,
      restarts: this.restarts,
      startedAt: this.startedAt,
      stop: { signal: this.app.stop.signal, timeout: this.app.stop.timeout },
      // While a process lives (or what it left is being ended), the strays the run tracks, still alive.
      strays: this.pid !== null || this.status === 'stopping' ? (this.run?.strayList().filter(isSameProcess) ?? []) : [],
    };
  }

  /** Stops watching the log file and clears timers (after `stop()`). */
  dispose(): void {
    this.clearBackoff();
    this.run?.dispose();
    this.removeOutput?.();
    this.log.close();
  }

  // ---- runs and what follows them -----------------------------------------------------------

  private spawnRun(): void {
    this.run?.dispose();
    this.run = new Run(this.app, this.ctx, this.runOptions());
    this.setStatus('starting');
    // start() reports its failures through the hooks; anything else is a bug, logged, never a daemon crash.
    this.run.start().catch((error: unknown) => this.ctx.logger.error({ err: error, app: this.app.name }, 'starting a run failed'));
  }

  private runOptions(): RunOptions {
    return { log: this.log, memory: this.memory, port: this.port, hooks: this.hooks };
  }

  /** What the current run reports (a replaced or stopped run is disposed and reports nothing). */
  private readonly hooks: RunHooks = {
    spawned: () => {
      this.spawned = this.run;
      const pid = this.pid!;
      this.ctx.emit({ type: 'spawn', app: this.app.name, pid, time: Date.now() });
      this.ctx.emit({ type: 'status', app: this.app.name, status: this.status, pid, time: Date.now() });
    },
    failedToSpawn: (reason) => {
      this.ctx.emit({ type: 'start-failed', app: this.app.name, reason, time: Date.now() });
      this.starts.rejectAll(new StartFailedError(this.app.name, reason));
      this.afterRun({ failed: true, ready: false, uptime: 0 }, reason);
    },
    ready: () => {
      if (this.ending.current) return; // being ended: handled there
      this.setStatus('running');
      this.ctx.emit({ type: 'ready', app: this.app.name, pid: this.pid!, time: Date.now() });
      this.starts.resolveAll();
      this.run!.startMonitors();
    },
    notReady: (reason) => {
      if (this.ending.current) return;
      this.ctx.emit({ type: 'start-failed', app: this.app.name, reason, time: Date.now() });
      this.starts.rejectAll(new StartFailedError(this.app.name, reason));
      void this.endRunAndRecover(reason);
    },
    exited: (exit) => this.onExit(exit),
    failed: (reason) => void this.endRunAndRecover(reason),
  };

  /** Ends the current run (readiness timeout, failed liveness, memory) and applies the restart policy. */
  private async endRunAndRecover(reason: string): Promise<void> {
    const run = this.run;
    if (!run || this.ending.current) return;
    this.setStatus('stopping');
    await this.ending.run(async () => {
      await run.kill();
      if (!this.wanted) return; // stopped meanwhile: stop() settles the status
      this.afterRun({ failed: true, ready: run.ready, uptime: run.uptime }, reason);
    });
  }

  private onExit({ pid, code, signal, uptime, wasReady }: RunExit): void {
    const run = this.run!;
    this.ctx.emit({ type: 'exit', app: this.app.name, pid, code, signal, uptime, time: Date.now() });
    if (this.ending.current) return; // stop(), restart() or a recovery is in charge
    this.log.poll();
    const how = code !== null ? `code ${code}` : signal ? `signal ${signal}` : 'an unknown status (adopted process)';
    if (!wasReady) {
      const reason = `it exited with ${how} before it was ready`;
      this.ctx.emit({ type: 'start-failed', app: this.app.name, reason, time: Date.now() });
      this.starts.rejectAll(new StartFailedError(this.app.name, reason));
    }
    const settle = (): void => this.afterRun({ failed: code !== 0 || !wasReady, ready: wasReady, uptime }, `exited with ${how}`);
    const leftovers = run.endLeftovers(pid);
    if (!leftovers) return settle();
    // The leader is gone but its group (or a recorded stray) lives on: end it before restarting or
    // settling, or each crash leaks a tree that nothing can find any more.
    this.setStatus('stopping');
    void this.ending.run(async () => {
      await leftovers;
      settle();
    });
  }

  /** Applies the restart policy after a run ended on its own (or was ended for failing). */
  private afterRun(outcome: Omit<RunOutcome, 'endedAt'>, reason: string): void {
    if (!this.wanted) return this.setStatus('stopped');
    const now = Date.now();
    const settings = this.app.restart;
    this.history = relevantHistory([...this.history, { ...outcome, endedAt: now }], settings, now);
    const decision = decideRestart(this.history, settings, now);
    if (decision.action !== 'restart') {
      this.wanted = false;
      const why = stayDownReason(decision, settings, reason);
      const errored = decision.action === 'give-up' || decision.errored;
      if (errored) this.ctx.emit({ type: 'errored', app: this.app.name, reason: why, time: now });
      this.starts.rejectAll(new StartFailedError(this.app.name, decision.action === 'give-up' ? why : reason));
      return this.setStatus(errored ? 'errored' : 'stopped');
    }
    this.restarts++;
    this.ctx.emit({ type: 'restart', app: this.app.name, delay: decision.delay, restarts: this.restarts, reason, time: now });
    if (decision.delay === 0) return this.spawnRun();
    this.setStatus('backoff');
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      if (this.wanted && this.status === 'backoff') this.spawnRun();
    }, decision.delay);
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Resolves once no stop and no end of a run is in progress. */
  private async settled(): Promise<void> {
    while (this.stopPromise || this.ending.current) await (this.stopPromise ?? this.ending.current);
  }

  /** Running or starting (a method, so TypeScript does not narrow `status` across awaits). */
  private isUp(): boolean {
    return this.status === 'running' || this.status === 'starting';
  }

  private setStatus(status: AppStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.ctx.emit({ type: 'status', app: this.app.name, status, pid: this.pid, time: Date.now() });
  }

  private clearBackoff(): void {
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
  }
}
