import getPort from 'get-port';
import type { ResolvedApp } from '../config/resolve.js';
import type { AppContext } from './context.js';
import type { AppRecord } from './events.js';
import { argsProblem } from './command-line.js';
import { killTree } from './kill.js';
import type { AppLogFile } from './log-file.js';
import { startMonitors } from './monitors.js';
import { StrayTracker } from './strays.js';
import { spawnApp } from './spawn-app.js';
import { groupAlive, isSameProcess, sameProcess, startToken, startTokenSync, type ProcessRef } from './proc.js';
import { healthStateOf, isReadyMessage, waitUntilReady, type AnnounceMemory, type IpcState } from './readiness/index.js';

/** Ms between checks that an adopted process (not our child: no exit event) still lives. */
const ADOPTED_WATCH_INTERVAL = 100;
/** Ms to wait for the exit of a killed run to be seen before taking it as gone. */
const EXIT_FALLBACK = 1000;

/** How a run's process ended, as its {@link RunHooks.exited} hears it. */
export interface RunExit {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Ms the process lived. */
  uptime: number;
  /** The run had become ready. */
  wasReady: boolean;
}

/** What a run tells its app. None is called once the run is disposed. */
export interface RunHooks {
  /** The process exists (`pid` is set). */
  spawned(): void;
  /** No process could be started, for `reason`. */
  failedToSpawn(reason: string): void;
  /** Readiness was seen. */
  ready(): void;
  /** The ready timeout passed first (`reason` says how). */
  notReady(reason: string): void;
  /** The process exited (or an adopted one was seen gone). */
  exited(exit: RunExit): void;
  /** A monitor of the ready run failed: it must be ended and the restart policy applied. */
  failed(reason: string): void;
}

/** What a run is given by its app. */
export interface RunOptions {
  log: AppLogFile;
  memory: AnnounceMemory;
  /** The port of the app's previous run (an `auto` port is kept when still free), or its fixed port. */
  port: number | null;
  hooks: RunHooks;
}

/**
 * One spawn of an app and everything that lives exactly as long as it: the child, the descendants
 * that left its group, its timers, its readiness wait and IPC state, its monitors. {@link dispose}
 * ends all of that at once, so a run that was replaced or stopped can never call back.
 */
export class Run {
  /** The live process, or null before the spawn and once its exit was seen. */
  pid: number | null = null;
  /** Start-time token of the process (tells a reused PID apart). */
  token: string | null = null;
  /** Epoch ms the process was spawned. */
  startedAt: number | null = null;
  port: number | null;
  /** The run became ready. */
  ready = false;
  /** Ms the process lived, once its exit was seen. */
  uptime = 0;
  private readonly ipc: { channel: boolean } & Omit<IpcState, 'channel'> = { channel: false, ready: false, health: null };
  private strays: StrayTracker | null = null;
  private timers: NodeJS.Timeout[] = [];
  private stopMonitors: (() => void) | null = null;
  private readyAbort: AbortController | null = null;
  private disposed = false;
  private exitSeen = false;
  private markExited!: () => void;
  /** Resolves once the process's exit was seen (even after dispose: a kill waits for it). */
  private readonly exited = new Promise<void>((resolve) => (this.markExited = resolve));

  constructor(
    private readonly app: ResolvedApp,
    private readonly ctx: AppContext,
    private readonly options: RunOptions,
  ) {
    this.port = options.port;
  }

  /** A run for a process a previous supervisor left (already checked to be the same pid and start time). */
  static adopt(app: ResolvedApp, ctx: AppContext, options: RunOptions, record: AppRecord & { pid: number }): Run {
    const run = new Run(app, ctx, { ...options, port: record.port ?? options.port });
    const pid = record.pid;
    run.pid = pid;
    run.token = record.startToken;
    run.startedAt = record.startedAt ?? Date.now();
    run.ready = true;
    // What the previous supervisor tracked, if still the same processes: a later stop ends them too.
    run.trackStrays(pid).adopt(record.strays ?? []);
    run.strays!.scan();
    // Not our child: no exit event, so watch the pid (and its start time, against PID reuse).
    const watcher = setInterval(() => {
      void sameProcess(pid, record.startToken).then((alive) => {
        if (!alive) run.onExit(null, null);
      });
    }, ADOPTED_WATCH_INTERVAL);
    run.timers.push(watcher);
    return run;
  }

  /** Spawns the process and waits for readiness, reporting through the hooks. */
  async start(): Promise<void> {
    if (this.app.port === 'auto') {
      try {
        // No host: get-port then checks every local address, so a port taken only on ::1 or 0.0.0.0 is skipped too.
        this.port = await getPort(this.port ? { port: this.port } : {});
      } catch (error) {
        this.failBeforeSpawn(`no free port (${(error as Error).message})`);
        return;
      }
      if (this.disposed) return; // stopped or replaced meanwhile
    }
    const problem = argsProblem(this.app);
    if (problem) {
      this.failBeforeSpawn(problem);
      return;
    }
    const { app, port, ctx } = this;
    const spawned = spawnApp({ app, env: ctx.env, port, log: this.options.log, onLateFailure: (problem) => this.failBeforeSpawn(problem) });
    if (typeof spawned === 'string') this.failBeforeSpawn(spawned);
    if (spawned === null || typeof spawned === 'string') return;
    const { child, ipc } = spawned;
    this.ipc.channel = ipc;
    child.on('error', () => {
      // Errors after spawn (a kill that failed) are surfaced through exit; nothing to do here.
    });
    const pid = child.pid!;
    this.pid = pid;
    this.startedAt = Date.now();
    // Known before the spawn event goes out, so the daemon's state never records a pid without it.
    const token = startTokenSync(pid);
    this.token = token ?? null;
    if (token === undefined) {
      void startToken(pid).then((t) => {
        if (!this.exitSeen) this.token = t;
      });
    }
    child.on('exit', (code, signal) => this.onExit(code, signal));
    this.trackStrays(pid);
    child.on('message', (message) => this.onMessage(pid, message));
    this.options.hooks.spawned();
    await this.awaitReady();
  }

  /** Reports a start that never got a process, in the app's log too (`pm logs` shows why nothing ran). */
  private failBeforeSpawn(reason: string): void {
    if (this.disposed) return;
    this.options.log.note(`--- pm: ${this.app.name} failed to start: ${reason} ---`);
    this.ctx.logger.warn({ app: this.app.name, reason }, 'start failed');
    this.options.hooks.failedToSpawn(reason);
  }

  private onMessage(pid: number, message: unknown): void {
    if (this.disposed) return;
    if (isReadyMessage(message)) this.ipc.ready = true;
    const state = healthStateOf(message);
    if (state === null) return;
    this.ipc.health = state;
    this.options.memory.announces = true;
    this.ctx.emit({ type: 'health-state', app: this.app.name, pid, state, time: Date.now() });
  }

  private async awaitReady(): Promise<void> {
    const ready = this.app.ready;
    const abort = new AbortController();
    this.readyAbort = abort;
    const timer = setTimeout(() => abort.abort('timeout'), ready.timeout);
    let ok = false;
    try {
      ok = await waitUntilReady(
        ready,
        { port: this.port, log: this.options.log, ipc: this.ipc, memory: this.options.memory },
        abort.signal,
      );
    } finally {
      clearTimeout(timer);
      if (this.readyAbort === abort) this.readyAbort = null;
    }
    if (this.disposed || this.exitSeen) return; // replaced, stopped, or exited: handled there
    if (ok) {
      this.ready = true;
      this.strays?.scan(); // fresh: what it spawned while starting is known from now on
      return this.options.hooks.ready();
    }
    if (abort.signal.reason !== 'timeout') return;
    const how =
      ready.kind === 'none' ? `@pm/health announced '${this.ipc.health ?? 'nothing'}' and never became healthy` : `${ready.kind} readiness`;
    this.options.hooks.notReady(`not ready within ${ready.timeout} ms (${how})`);
  }

  /** Starts the liveness probe and memory watch (once the run is ready or adopted). */
  startMonitors(): void {
    if (this.pid === null || this.disposed) return;
    this.stopMonitors?.();
    this.stopMonitors = startMonitors(this.app, this.pid, this.port, {
      probesFailed: (failures) => {
        if (!this.disposed) this.ctx.emit({ type: 'health-failed', app: this.app.name, failures, time: Date.now() });
      },
      fail: (reason) => {
        if (!this.disposed) this.options.hooks.failed(reason);
      },
    });
  }

  /** Kills the process tree (stop signal, SIGKILL after the stop timeout) and resolves once its exit was seen. */
  async kill(): Promise<void> {
    const pid = this.pid;
    if (pid === null) return;
    this.stopMonitors?.();
    await killTree({ pid, signal: this.app.stop.signal, timeout: this.app.stop.timeout, strays: this.strayList() });
    // Our child's exit event follows at once; an adopted process is seen gone by its watcher.
    const fallback = setTimeout(() => this.onExit(null, 'SIGKILL'), EXIT_FALLBACK);
    await this.exited;
    clearTimeout(fallback);
  }

  /**
   * After the process exited on its own: ends what it left behind (its group, or a recorded stray
   * that left the group), with the same stop signal and grace as any stop, then SIGKILL. Null when
   * nothing is left, so the caller can go on at once.
   */
  endLeftovers(pid: number): Promise<unknown> | null {
    const leftovers = this.strayList().filter(isSameProcess);
    if (leftovers.length === 0 && !groupAlive(pid)) return null;
    return killTree({ pid, leaderGone: true, strays: leftovers, signal: this.app.stop.signal, timeout: this.app.stop.timeout });
  }

  /** The descendants that left the process group, as last recorded. */
  strayList(): ProcessRef[] {
    return this.strays?.list() ?? [];
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitSeen || this.pid === null) return;
    this.exitSeen = true;
    this.markExited(); // whoever waits for this exit hears of it first
    const pid = this.pid;
    this.uptime = Date.now() - (this.startedAt ?? Date.now());
    this.pid = null;
    this.clearTimers();
    this.readyAbort?.abort('exit');
    if (!this.disposed) this.options.hooks.exited({ pid, code, signal, uptime: this.uptime, wasReady: this.ready });
  }

  /** Starts recording the descendants of `pid` that leave its process group, while it lives. */
  private trackStrays(pid: number): StrayTracker {
    this.strays = new StrayTracker(
      pid,
      (strays) => {
        if (!this.disposed) this.ctx.emit({ type: 'strays', app: this.app.name, pid, strays, time: Date.now() });
      },
      (error) => this.ctx.logger.debug({ err: error, app: this.app.name }, 'stray scan failed'),
    );
    this.strays.watch();
    return this.strays;
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.strays?.stop();
    this.stopMonitors?.();
    this.stopMonitors = null;
  }

  /** Ends everything the run holds except the process itself: timers, readiness wait, monitors, hooks. */
  dispose(): void {
    this.disposed = true;
    this.clearTimers();
    this.readyAbort?.abort('disposed');
  }
}
