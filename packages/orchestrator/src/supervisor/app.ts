import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { findPortHolder } from '@pm/lock';
import getPort from 'get-port';
import pidusage from 'pidusage';
import type { ResolvedApp } from '../config/resolve.js';
import { StartFailedError } from '../errors.js';
import { PortInUseError } from '../port-in-use-error.js';
import type { Logger } from '../logger.js';
import { backoffDelay } from './backoff.js';
import type { AppRecord, AppStatus, HealthAnnounceState, OrchestratorEvent } from './events.js';
import { killTree } from './kill.js';
import { AppLogFile } from './log-file.js';
import { isPortFree } from './ports.js';
import { probeHttp, probeTcp, withPort } from './probe.js';
import { groupAlive, isSameProcess, sameProcess, startToken, startTokenSync, strayDescendants, type ProcessRef } from './proc.js';

/** What an {@link AppSupervisor} needs from its orchestrator. */
export interface AppContext {
  logDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  emit(event: OrchestratorEvent): void;
  /** Whether output lines should be read and emitted as `output` events. */
  output: boolean;
}

/** The IPC readiness message: `{ type: 'pm:ready' }`, or the plain string `'ready'`. */
export function isReadyMessage(message: unknown): boolean {
  return message === 'ready' || (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'pm:ready');
}

/** The state in a `{ type: 'pm:health', state }` message (what `@pm/health` announces), or null for any other message. */
export function healthStateOf(message: unknown): HealthAnnounceState | null {
  if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'pm:health') return null;
  const state = (message as { state?: unknown }).state;
  return state === 'initializing' || state === 'healthy' || state === 'shutting_down' ? state : null;
}

type StartWaiter = { resolve: () => void; reject: (error: Error) => void };

/** Ms between scans for descendants that left a run's process group (also scanned when it becomes ready). */
const STRAY_SCAN_INTERVAL = 2000;

/** Supervises one app: spawns it, watches readiness and health, restarts it by policy, stops its tree. */
export class AppSupervisor {
  status: AppStatus = 'stopped';
  pid: number | null = null;
  token: string | null = null;
  port: number | null;
  restarts = 0;
  startedAt: number | null = null;
  readonly log: AppLogFile;

  private child: ChildProcess | null = null;
  private runId = 0;
  private wanted = false;
  /** Counts stop() calls: a start or restart that sees it change was overtaken by a stop. */
  private stops = 0;
  /**
   * Ending a run is in progress (stop, restart, a recovery, or the leftovers of a run that exited on
   * its own): its initiator applies what follows, and start()/restart()/stop() wait for it.
   */
  private ending: Promise<void> | null = null;
  /** Whether the current run became ready. */
  private runReady = false;
  /** Descendants of the current run that left its process group, recorded while its leader lives. */
  private strays = new Map<number, ProcessRef>();
  private ipcReady = false;
  /** Whether the current run has an IPC channel (script apps, or `ready: 'ipc'`). */
  private runIpc = false;
  /** The last state the current run's @pm/health announced, if any. */
  private healthState: HealthAnnounceState | null = null;
  /**
   * Whether this app announces itself (learned from its runs since the last `start()`): a run that
   * stayed silent through the announce window makes automatic restarts skip the window, so a
   * crashed app that does not use @pm/health is back `running` at once.
   */
  private announces: boolean | null = null;
  private shortRuns: number[] = [];
  private consecutive = 0;
  private lastUptime = 0;
  private backoffTimer: NodeJS.Timeout | null = null;
  private runTimers: NodeJS.Timeout[] = [];
  private readyAbort: AbortController | null = null;
  /** Per run id: who waits for that run's exit to be seen. */
  private exitWaiters = new Map<number, (() => void)[]>();
  private startWaiters: StartWaiter[] = [];
  private stopPromise: Promise<void> | null = null;
  private removeOutput: (() => void) | null = null;

  constructor(
    readonly app: ResolvedApp,
    private readonly ctx: AppContext,
  ) {
    this.port = typeof app.port === 'number' ? app.port : null;
    this.log = new AppLogFile(join(ctx.logDir, `${app.name}.log`), app.logs.maxSize, app.logs.keep);
    if (ctx.output) this.removeOutput = this.log.onLine((line) => ctx.emit({ type: 'output', app: app.name, line, time: Date.now() }));
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
    this.rejectStart(new StartFailedError(this.app.name, 'it was stopped before it was ready'));
    while (this.ending) await this.ending; // a restart, a recovery, or a crashed run's leftovers being ended
    if (this.pid !== null) {
      this.setStatus('stopping');
      await this.transition(() => this.killRun());
    } else if (this.status === 'errored') {
      return; // the policy gave up: a stop (or the daemon exiting) must not hide that
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
      await this.transition(() => this.killRun());
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
      if (this.status === 'starting') return this.waitStart();
      if (typeof this.app.port !== 'number') break;
      const free = await isPortFree(this.app.port);
      if (this.stopPromise || this.ending || this.stops !== stops || this.isUp()) continue; // moved on meanwhile: look again
      if (!free) throw new PortInUseError(this.app.name, this.app.port, await findPortHolder(this.app.port));
      break;
    }
    // From here to spawnRun's status change nothing awaits, so two starts cannot both spawn.
    this.wanted = true;
    this.shortRuns = [];
    this.consecutive = 0;
    this.announces = null; // the app may have changed since: watch for an announcement again
    this.clearBackoff();
    const ready = this.waitStart();
    void this.spawnRun();
    return ready;
  }

  /** Takes over a process a previous daemon left (same pid and start time). Resolves false when it is gone. */
  async adopt(record: AppRecord): Promise<boolean> {
    if (record.pid === null || !(await sameProcess(record.pid, record.startToken))) return false;
    const runId = ++this.runId;
    const pid = record.pid;
    this.wanted = true;
    this.pid = pid;
    this.token = record.startToken;
    this.port = record.port ?? this.port;
    this.restarts = record.restarts;
    this.startedAt = record.startedAt ?? Date.now();
    this.runReady = true;
    this.strays = new Map();
    this.recordStrays(pid);
    this.watchStrays(runId, pid);
    // Not our child: no exit event, so watch the pid (and its start time, against PID reuse).
    const watcher = setInterval(() => {
      void sameProcess(pid, record.startToken).then((alive) => {
        if (!alive && runId === this.runId && this.pid === pid) this.onExit(runId, null, null);
      });
    }, 100);
    this.runTimers.push(watcher);
    this.setStatus('running');
    this.startMonitors(runId);
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
    };
  }

  /** Stops watching the log file and clears timers (after `stop()`). */
  dispose(): void {
    this.clearBackoff();
    this.clearRunTimers();
    this.removeOutput?.();
    this.log.close();
  }

  // ---- one run ------------------------------------------------------------------------------

  private async spawnRun(): Promise<void> {
    const runId = ++this.runId;
    this.ipcReady = false;
    this.runReady = false;
    this.healthState = null;
    this.setStatus('starting');
    if (this.app.port === 'auto') {
      try {
        // No host: get-port then checks every local address, so a port taken only on ::1 or 0.0.0.0 is skipped too.
        this.port = await getPort(this.port ? { port: this.port } : {});
      } catch (error) {
        return this.failBeforeSpawn(runId, `no free port (${(error as Error).message})`);
      }
      if (runId !== this.runId || !this.wanted) return; // stopped meanwhile (stop() has settled the status)
    }
    if (typeof this.app.command === 'string' && this.app.args.length > 0) {
      // Only a ResolvedConfig built by hand gets here (resolveConfig refuses it): never join them unquoted.
      return this.failBeforeSpawn(
        runId,
        'args cannot be given with a string command (run through a shell): put them in the command string, or make command an array',
      );
    }
    const { file, args, shell, ipc } = this.commandLine();
    this.runIpc = ipc;
    const env: NodeJS.ProcessEnv = { ...this.ctx.env, ...this.app.env, PM_APP_NAME: this.app.name };
    if (this.port !== null) env.PORT = String(this.port);
    let child: ChildProcess;
    const fd = this.log.openForChild(`--- pm: ${this.app.name} starting at ${new Date().toISOString()} ---`);
    try {
      child = spawn(file, args, {
        cwd: this.app.cwd,
        env,
        shell,
        detached: true, // own process group, so a stop reaches the whole tree and Ctrl-C in `pm run` does not
        stdio: ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd],
        windowsHide: true,
      });
    } catch (error) {
      return this.failBeforeSpawn(runId, (error as Error).message);
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) {
      child.once('error', (error) => void this.failBeforeSpawn(runId, error.message));
      return;
    }
    child.on('error', () => {
      // Errors after spawn (a kill that failed) are surfaced through exit; nothing to do here.
    });
    const pid = child.pid;
    this.child = child;
    this.pid = pid;
    this.startedAt = Date.now();
    // Known before the spawn event goes out, so the daemon's state never records a pid without it.
    const token = startTokenSync(pid);
    this.token = token ?? null;
    if (token === undefined) {
      void startToken(pid).then((t) => {
        if (runId === this.runId && this.pid === pid) this.token = t;
      });
    }
    child.on('exit', (code, signal) => this.onExit(runId, code, signal));
    this.strays = new Map();
    this.watchStrays(runId, pid);
    child.on('message', (message) => {
      if (runId !== this.runId) return;
      if (isReadyMessage(message)) this.ipcReady = true;
      const state = healthStateOf(message);
      if (state !== null) {
        this.healthState = state;
        this.announces = true;
        this.ctx.emit({ type: 'health-state', app: this.app.name, pid, state, time: Date.now() });
      }
    });
    this.ctx.emit({ type: 'spawn', app: this.app.name, pid, time: Date.now() });
    this.ctx.emit({ type: 'status', app: this.app.name, status: this.status, pid, time: Date.now() });
    await this.awaitReady(runId, pid);
  }

  private commandLine(): { file: string; args: string[]; shell: boolean; ipc: boolean } {
    const args = this.app.args.map((a) => withPort(a, this.port));
    if (this.app.script) return { file: process.execPath, args: [this.app.script, ...args], shell: false, ipc: true };
    const command = this.app.command!;
    const ipc = this.app.ready.kind === 'ipc';
    // A shell command line takes no separate args (validation refuses them; see spawnRun for a hand-built config).
    if (typeof command === 'string') return { file: command, args: [], shell: true, ipc };
    return { file: command[0]!, args: [...command.slice(1).map((a) => withPort(a, this.port)), ...args], shell: false, ipc };
  }

  private async failBeforeSpawn(runId: number, reason: string): Promise<void> {
    if (runId !== this.runId) return;
    this.pid = null;
    this.child = null;
    this.ctx.emit({ type: 'start-failed', app: this.app.name, reason, time: Date.now() });
    this.rejectStart(new StartFailedError(this.app.name, reason));
    this.afterRun(true, false, 0, reason);
  }

  private async awaitReady(runId: number, pid: number): Promise<void> {
    const ready = this.app.ready;
    const abort = new AbortController();
    this.readyAbort = abort;
    const timer = setTimeout(() => abort.abort('timeout'), ready.timeout);
    let ok = false;
    try {
      ok = await this.readyCheck(abort.signal);
    } finally {
      clearTimeout(timer);
      if (this.readyAbort === abort) this.readyAbort = null;
    }
    if (runId !== this.runId || this.pid !== pid || this.ending) return; // exited, or being ended: handled there
    if (ok) {
      this.runReady = true;
      this.recordStrays(pid); // fresh: what it spawned while starting is known from now on
      this.setStatus('running');
      this.ctx.emit({ type: 'ready', app: this.app.name, pid, time: Date.now() });
      const waiters = this.startWaiters;
      this.startWaiters = [];
      for (const w of waiters) w.resolve();
      this.startMonitors(runId);
      return;
    }
    if (abort.signal.reason !== 'timeout') return; // ended by exit or stop: handled there
    const how =
      ready.kind === 'none'
        ? `@pm/health announced '${this.healthState ?? 'nothing'}' and never became healthy`
        : `${ready.kind} readiness`;
    const reason = `not ready within ${ready.timeout} ms (${how})`;
    this.ctx.emit({ type: 'start-failed', app: this.app.name, reason, time: Date.now() });
    this.rejectStart(new StartFailedError(this.app.name, reason));
    await this.endRunAndRecover(runId, reason);
  }

  private readyCheck(signal: AbortSignal): Promise<boolean> {
    const ready = this.app.ready;
    const aborted = new Promise<false>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true }));
    const poll = async (check: () => Promise<boolean> | boolean): Promise<boolean> => {
      while (!signal.aborted) {
        if (await check()) return !signal.aborted;
        await Promise.race([new Promise((r) => setTimeout(r, ready.interval)), aborted]);
      }
      return false;
    };
    switch (ready.kind) {
      case 'none': {
        // No readiness configured. Without an IPC channel nothing can tell us more: ready now.
        if (!this.runIpc || ready.announce === 0 || this.announces === false) return Promise.resolve(true);
        // A script app may use @pm/health, which announces itself at createHealth(): give it the
        // announce window. Announced: wait for healthy (bounded by the ready timeout). Silent: ready.
        const windowEnds = Date.now() + ready.announce;
        return poll(() => {
          if (this.ipcReady || this.healthState === 'healthy') return true;
          if (this.healthState !== null) return false;
          if (Date.now() < windowEnds) return false;
          this.announces = false;
          return true;
        });
      }
      case 'http':
        return poll(() => probeHttp(withPort(ready.url, this.port), Math.max(ready.interval, 1000)));
      case 'tcp':
        return poll(() => probeTcp(ready.target, this.port, Math.max(ready.interval, 1000)));
      case 'ipc':
        return poll(() => this.ipcReady);
      case 'log': {
        const pattern = ready.pattern;
        const test = (line: string) => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line));
        return new Promise<boolean>((resolve) => {
          const remove = this.log.onLine((line) => {
            if (test(line)) finish(true);
          });
          // The watcher may miss events; poll the file too while waiting.
          const timer = setInterval(() => this.log.poll(), 50);
          const finish = (value: boolean) => {
            clearInterval(timer);
            remove();
            resolve(value);
          };
          signal.addEventListener('abort', () => finish(false), { once: true });
          this.log.poll();
        });
      }
    }
  }

  private startMonitors(runId: number): void {
    const health = this.app.health;
    if (health) {
      let failures = 0;
      let busy = false;
      const timer = setInterval(() => {
        if (busy || runId !== this.runId || this.status !== 'running') return;
        busy = true;
        const probe = health.http
          ? probeHttp(withPort(health.http, this.port), health.timeout)
          : probeTcp(health.tcp!, this.port, health.timeout);
        void probe.then((ok) => {
          busy = false;
          if (runId !== this.runId || this.status !== 'running') return;
          failures = ok ? 0 : failures + 1;
          if (failures >= health.failures) {
            this.ctx.emit({ type: 'health-failed', app: this.app.name, failures, time: Date.now() });
            void this.endRunAndRecover(runId, `health probe failed ${failures} times in a row`);
          }
        });
      }, health.interval);
      timer.unref();
      this.runTimers.push(timer);
    }
    const maxMemory = this.app.maxMemory;
    if (maxMemory !== null) {
      const timer = setInterval(() => {
        const pid = this.pid;
        if (pid === null || runId !== this.runId || this.status !== 'running') return;
        pidusage(pid)
          .then((usage) => {
            if (usage.memory > maxMemory && runId === this.runId && this.status === 'running') {
              void this.endRunAndRecover(runId, `memory ${usage.memory} bytes is over maxMemory ${maxMemory}`);
            }
          })
          .catch(() => undefined);
      }, 1000);
      timer.unref();
      this.runTimers.push(timer);
    }
  }

  /** Ends the current run (readiness timeout, failed liveness, memory) and applies the restart policy. */
  private async endRunAndRecover(runId: number, reason: string): Promise<void> {
    if (runId !== this.runId || this.ending) return;
    const ready = this.runReady;
    this.setStatus('stopping');
    await this.transition(async () => {
      await this.killRun();
      if (runId !== this.runId || !this.wanted) return; // stopped meanwhile: stop() settles the status
      this.afterRun(true, ready, this.lastUptime, reason);
    });
  }

  /**
   * Runs `work` (ending a run, and what follows it) as the one transition in progress: `ending` is set
   * before it begins and cleared only once it is done, so whoever awaits `ending` sees its outcome.
   */
  private transition(work: () => Promise<void>): Promise<void> {
    const done: Promise<void> = Promise.resolve()
      .then(work)
      .catch((error: unknown) => this.ctx.logger.error({ err: error, app: this.app.name }, 'ending a run failed'))
      .finally(() => {
        if (this.ending === done) this.ending = null;
      });
    this.ending = done;
    return done;
  }

  /** Resolves once no stop and no end of a run is in progress. */
  private async settled(): Promise<void> {
    while (this.stopPromise || this.ending) await (this.stopPromise ?? this.ending);
  }

  /** Kills the current run's tree and waits for its exit to be seen. Call it inside {@link transition}. */
  private async killRun(): Promise<void> {
    const pid = this.pid;
    if (pid === null) return;
    const runId = this.runId;
    const exited = new Promise<void>((resolve) => this.exitWaiters.set(runId, [...(this.exitWaiters.get(runId) ?? []), resolve]));
    await killTree({ pid, signal: this.app.stop.signal, timeout: this.app.stop.timeout, strays: [...this.strays.values()] });
    // Our child's exit event follows at once; an adopted process is seen gone by its watcher.
    const fallback = setTimeout(() => {
      if (this.runId === runId && this.pid === pid) this.onExit(runId, null, 'SIGKILL');
    }, 1000);
    await exited;
    clearTimeout(fallback);
  }

  /** Records the run's descendants outside its process group now, and every STRAY_SCAN_INTERVAL while it lives. */
  private watchStrays(runId: number, pid: number): void {
    const timer = setInterval(() => {
      if (runId === this.runId && this.pid === pid) this.recordStrays(pid, STRAY_SCAN_INTERVAL / 2);
    }, STRAY_SCAN_INTERVAL);
    timer.unref();
    this.runTimers.push(timer);
  }

  /** Adds the run's current strays (from a /proc read at most `maxAge` ms old) and forgets those gone. */
  private recordStrays(pid: number, maxAge = 0): void {
    for (const [p, ref] of this.strays) if (!isSameProcess(ref)) this.strays.delete(p);
    for (const ref of strayDescendants(pid, maxAge)) this.strays.set(ref.pid, ref);
  }

  private onExit(runId: number, code: number | null, signal: NodeJS.Signals | null): void {
    // Whoever waits for this run's end hears of it first, even if a newer run were current by now.
    const waiters = this.exitWaiters.get(runId) ?? [];
    this.exitWaiters.delete(runId);
    for (const resolve of waiters) resolve();
    if (runId !== this.runId || this.pid === null) return;
    const pid = this.pid;
    const uptime = Date.now() - (this.startedAt ?? Date.now());
    this.lastUptime = uptime;
    const wasReady = this.runReady;
    const strays = [...this.strays.values()];
    this.strays = new Map();
    this.pid = null;
    this.child = null;
    this.clearRunTimers();
    this.readyAbort?.abort('exit');
    this.ctx.emit({ type: 'exit', app: this.app.name, pid, code, signal, uptime, time: Date.now() });
    if (this.ending) return; // stop(), restart() or a recovery is in charge
    this.log.poll();
    const how = code !== null ? `code ${code}` : signal ? `signal ${signal}` : 'an unknown status (adopted process)';
    if (!wasReady) {
      const reason = `it exited with ${how} before it was ready`;
      this.ctx.emit({ type: 'start-failed', app: this.app.name, reason, time: Date.now() });
      this.rejectStart(new StartFailedError(this.app.name, reason));
    }
    const settle = (): void => this.afterRun(code !== 0 || !wasReady, wasReady, uptime, `exited with ${how}`);
    const leftovers = strays.filter(isSameProcess);
    if (leftovers.length === 0 && !groupAlive(pid)) return settle();
    // The leader is gone but its group (or a recorded stray) lives on: end it before restarting or
    // settling, or each crash leaks a tree that nothing can find any more. The leftovers get the same
    // stop signal and grace as any stop (they may have files or ports to release); SIGKILL follows.
    this.setStatus('stopping');
    void this.transition(async () => {
      await killTree({ pid, leaderGone: true, strays: leftovers, signal: this.app.stop.signal, timeout: this.app.stop.timeout });
      settle();
    });
  }

  /**
   * Applies the restart policy after a run ended on its own (or was ended for failing). `ready`: the
   * run became ready; one that never did is a failed start, counted as a short run however long it took.
   */
  private afterRun(failed: boolean, ready: boolean, uptime: number, reason: string): void {
    const { policy, minUptime, window, maxRestarts, backoff } = this.app.restart;
    if (!this.wanted) return this.setStatus('stopped');
    if (policy === 'never' || (policy === 'on-failure' && !failed)) {
      this.wanted = false;
      if (failed)
        this.ctx.emit({ type: 'errored', app: this.app.name, reason: `${reason}; restart policy is ${policy}`, time: Date.now() });
      this.rejectStart(new StartFailedError(this.app.name, reason));
      return this.setStatus(failed ? 'errored' : 'stopped');
    }
    const now = Date.now();
    if (!ready || uptime < minUptime) {
      this.shortRuns.push(now);
      this.consecutive++;
    } else {
      this.consecutive = 0; // a long healthy run: restart at once, and forget old short runs' backoff
    }
    this.shortRuns = this.shortRuns.filter((t) => t > now - window);
    if (this.shortRuns.length > maxRestarts) {
      this.wanted = false;
      const why = `gave up after ${this.shortRuns.length} failed starts or runs shorter than ${minUptime} ms within ${window} ms (${reason})`;
      this.ctx.emit({ type: 'errored', app: this.app.name, reason: why, time: now });
      this.rejectStart(new StartFailedError(this.app.name, why));
      return this.setStatus('errored');
    }
    const delay = backoffDelay(this.consecutive, backoff.initial, backoff.max);
    this.restarts++;
    this.ctx.emit({ type: 'restart', app: this.app.name, delay, restarts: this.restarts, reason, time: now });
    if (delay === 0) {
      void this.spawnRun();
      return;
    }
    this.setStatus('backoff');
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      if (this.wanted && this.status === 'backoff') void this.spawnRun();
    }, delay);
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Running or starting (a method, so TypeScript does not narrow `status` across awaits). */
  private isUp(): boolean {
    return this.status === 'running' || this.status === 'starting';
  }

  private waitStart(): Promise<void> {
    return new Promise((resolve, reject) => this.startWaiters.push({ resolve, reject }));
  }

  private rejectStart(error: Error): void {
    const waiters = this.startWaiters;
    this.startWaiters = [];
    for (const w of waiters) w.reject(error);
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

  private clearRunTimers(): void {
    for (const t of this.runTimers) clearInterval(t);
    this.runTimers = [];
  }
}
