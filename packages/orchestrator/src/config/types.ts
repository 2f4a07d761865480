/** Readiness: how the supervisor learns an app is ready (state `running`). One kind per app. */
export interface ReadyConfig {
  /** Ready when GET on this URL answers 2xx/3xx. `localhost` is probed on 127.0.0.1 and ::1. */
  http?: string;
  /** Ready when this TCP port (on localhost) or `host:port` accepts a connection. */
  tcp?: number | string;
  /** Ready when a line of the app's output contains this text (or matches this RegExp). */
  log?: string | RegExp;
  /** Ready when the app sends an IPC message `{ type: 'pm:ready' }` or `'ready'` (Node apps only). */
  ipc?: boolean;
  /** A start not ready after this many ms is a failed start. @default 30000 */
  timeout?: number;
  /** Probe interval for http/tcp in ms. @default 100 */
  interval?: number;
  /**
   * Only without http/tcp/log/ipc, for `script` apps (spawned with an IPC channel): ms after spawn
   * to wait for `@pm/health` to announce itself (`{ type: 'pm:health', state: 'initializing' }`).
   * An app that announced stays `starting` until `pm:ready` (or `pm:health` `healthy`), within
   * `timeout`; one that did not is ready when the window ends. 0: ready as soon as spawned. @default 1500
   */
  announce?: number;
}

/** When and how fast a stopped app is started again. */
export interface RestartConfig {
  /** `on-failure` restarts on a non-zero exit or a signal, `always` on any exit, `never` never. @default 'on-failure' */
  policy?: 'on-failure' | 'always' | 'never';
  /** Give up (state `errored`) after more than this many short runs within `window`. @default 10 */
  maxRestarts?: number;
  /** The window in ms over which short runs are counted. @default 60000 */
  window?: number;
  /** A run shorter than this (ms) counts toward giving up and grows the backoff; a longer one resets both. @default 1000 */
  minUptime?: number;
  /** Exponential backoff between restarts after short runs, with ±20 % jitter. */
  backoff?: {
    /** First delay in ms (the first restart after a run longer than minUptime is immediate). @default 100 */
    initial?: number;
    /** Largest delay in ms. @default 30000 */
    max?: number;
  };
}

/** How an app is stopped. */
export interface StopConfig {
  /** Signal sent to the app's whole process group. @default 'SIGTERM' */
  signal?: NodeJS.Signals;
  /** Ms to wait before SIGKILL to the group. @default 5000 */
  timeout?: number;
}

/** Liveness probe: `failures` failed probes in a row restart the app (like a Kubernetes liveness probe). */
export interface HealthConfig {
  /** Probe this URL (2xx/3xx is healthy). */
  http?: string;
  /** Or probe this TCP port / `host:port`. */
  tcp?: number | string;
  /** Ms between probes. @default 5000 */
  interval?: number;
  /** Failed probes in a row before a restart. @default 3 */
  failures?: number;
  /** Ms before one probe counts as failed. @default 2000 */
  timeout?: number;
}

/** Per-app log file with size rotation (stdout and stderr go to `<PM_HOME>/logs/<name>.log`). */
export interface LogsConfig {
  /** Rotate when the file is larger than this: bytes, or a size like '10M', '512K', '1G'. @default '10M' */
  maxSize?: string | number;
  /** Rotated copies kept (`<name>.log.1` … `.N`). @default 5 */
  keep?: number;
}

/** One supervised app. Give either `script` (run with node) or `command`. */
export interface AppConfig {
  /** Unique name: letters, digits, `.`, `_`, `-`. */
  name: string;
  /** A Node.js script, run with the same node as pm. */
  script?: string;
  /** A command: an array is run without a shell; a string runs through `/bin/sh -c`. */
  command?: string | string[];
  /** Extra arguments. @default [] */
  args?: string[];
  /** Working folder, relative to the config file's folder. @default '.' */
  cwd?: string;
  /** Extra environment variables, merged over pm's own environment. @default {} */
  env?: Record<string, string>;
  /** Port the app serves on, passed as env `PORT`; `'auto'` picks a free one (get-port). @default none */
  port?: number | 'auto';
  /**
   * How readiness is detected; `'ipc'` is short for `{ ipc: true }`. @default for a `script` app, what
   * `@pm/health` announces over IPC (see `ready.announce`); otherwise ready as soon as spawned
   */
  ready?: ReadyConfig | 'ipc';
  /** Apps that must be ready before this one starts. @default [] */
  dependsOn?: string[];
  /** Restart policy. */
  restart?: RestartConfig;
  /** Stop signal and timeout. */
  stop?: StopConfig;
  /** Liveness probe. @default none */
  health?: HealthConfig;
  /** Log rotation. */
  logs?: LogsConfig;
  /** Restart when the app's resident memory exceeds this: bytes or a size like '512M'. @default none */
  maxMemory?: string | number;
}

/** The control API and dashboard served by the daemon. */
export interface DashboardConfig {
  /** Port on 127.0.0.1; 0 picks a free one; `false` at the top level disables the dashboard. @default 4000 */
  port?: number;
  /** `GET /metrics` (Prometheus text format). @default { token: true } */
  metrics?: {
    /**
     * Whether `GET /metrics` needs the control token; `false` lets a scraper on this machine read the
     * metrics without it (they name apps and their state, never a secret). The port stays on 127.0.0.1. @default true
     */
    token?: boolean;
  };
}

/** A whole pm config: `pm.config.{ts,mjs,js,json}`. */
export interface PmConfig {
  /** The apps to supervise. */
  apps: AppConfig[];
  /** Control API and dashboard, or false to serve none. @default { port: 4000 } */
  dashboard?: DashboardConfig | false;
}
