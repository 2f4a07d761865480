import type { Checker } from './checker.js';
import { key, type ConfigOf, type Section } from './schema-kit.js';

// The schema of the sections inside an app (ready, restart, stop, health, logs) and of `dashboard`;
// schema.ts has the app and the top level. See schema.ts for how the schema is used.

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2'] as const;
const POLICIES = ['on-failure', 'always', 'never'] as const;

export const ms = (min: number) => (c: Checker, path: string, v: unknown) => c.ms(path, v, min);
export const int = (min: number, max?: number) => (c: Checker, path: string, v: unknown) => c.int(path, v, min, max);
export const size = (c: Checker, path: string, v: unknown) => c.size(path, v);
const url = (c: Checker, path: string, v: unknown) => c.url(path, v);
const tcp = (c: Checker, path: string, v: unknown) => c.tcp(path, v);
export const strings = (expected: string) => (c: Checker, path: string, v: unknown) => {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) c.add(path, expected, v);
};

/** Keys of `ready`. */
export const readyKeys = {
  /** Ready when GET on this URL answers 2xx/3xx. `localhost` is probed on 127.0.0.1 and ::1. */
  http: key<string>()({ type: 'URL', doc: 'Ready when GET answers 2xx/3xx. `localhost` is probed on 127.0.0.1 and ::1.', check: url }),
  /** Ready when this TCP port (on localhost) or `host:port` accepts a connection. */
  tcp: key<number | string>()({
    type: "port or `'host:port'`",
    doc: 'Ready when the port accepts a connection (localhost: both families).',
    check: tcp,
  }),
  /** Ready when a line of the app's output contains this text (or matches this RegExp). */
  log: key<string | RegExp>()({
    type: 'string or RegExp',
    doc: 'Ready when an output line contains / matches it.',
    check: (c, path, v) => {
      if (!(typeof v === 'string' && v !== '') && !(v instanceof RegExp)) c.add(path, 'a non-empty string or a RegExp', v);
    },
  }),
  /** Ready when the app sends an IPC message `{ type: 'pm:ready' }` or `'ready'` (Node apps only). */
  ipc: key<boolean>()({
    type: '`true`',
    doc: "Ready on an IPC message `{ type: 'pm:ready' }` or `'ready'`.",
    check: (c, path, v) => {
      if (typeof v !== 'boolean') c.add(path, 'true', v);
    },
  }),
  /** A start not ready after this many ms is a failed start. @default 30000 */
  timeout: key<number>()({
    type: 'ms',
    default: 30_000,
    doc: 'Not ready by then: a failed start (never `running`); the restart policy applies, counting it as a short run.',
    check: ms(1),
  }),
  /** Probe interval for http/tcp in ms. @default 100 */
  interval: key<number>()({
    type: 'ms',
    default: 100,
    doc: 'Probe interval for http/tcp (and how often IPC/announce state is checked).',
    check: ms(10),
  }),
  /**
   * Only without http/tcp/log/ipc, for `script` apps (spawned with an IPC channel): ms after spawn
   * to wait for `@pm/health` to announce itself (`{ type: 'pm:health', state: 'initializing' }`).
   * An app that announced stays `starting` until `pm:ready` (or `pm:health` `healthy`), within
   * `timeout`; one that did not is ready when the window ends. 0: ready as soon as spawned. @default 1500
   */
  announce: key<number>()({
    type: 'ms',
    default: 1_500,
    doc: 'Only without `http`/`tcp`/`log`/`ipc`, for `script` apps: how long after spawn to wait for `@pm/health` to announce itself. Announced: `starting` until healthy, within `timeout`. Silent: ready when the window ends. `0`: ready once spawned. Must be less than `timeout`.',
    check: ms(0),
  }),
};

export const readySection = {
  keys: readyKeys,
  expected: "{ http | tcp | log | ipc, timeout }, { timeout, announce } or 'ipc'",
  refine(c, p, r) {
    const kinds = ['http', 'tcp', 'log', 'ipc'].filter((k) => r[k] !== undefined && r[k] !== false);
    // No kind at all is fine: `{ timeout, announce }` tunes the @pm/health announcement (script apps).
    if (kinds.length > 1) c.add(p, `at most one of http, tcp, log or ipc (got ${kinds.join(', ')})`);
    if (kinds.length === 1 && r.announce !== undefined)
      c.add(`${p}.announce`, `no announce with ready.${kinds[0]} (it only applies when no readiness kind is set)`);
    const timeout = typeof r.timeout === 'number' ? r.timeout : readyKeys.timeout.default;
    if (typeof r.announce === 'number' && r.announce >= timeout)
      c.add(`${p}.announce`, `less than ready.timeout (${timeout} ms)`, r.announce);
  },
} satisfies Section;

/** Keys of `restart.backoff`. */
export const backoffKeys = {
  /** First delay in ms (the first restart after a run longer than minUptime is immediate). @default 100 */
  initial: key<number>()({ type: 'ms', default: 100, doc: 'First delay.', check: ms(0) }),
  /** Largest delay in ms (kept short so that a crash loop's short runs fit in `window` and reach `errored`). @default 2000 */
  max: key<number>()({ type: 'ms', default: 2_000, doc: 'Largest delay.', check: ms(0) }),
};

/** Keys of `restart`. */
export const restartKeys = {
  /** `on-failure` restarts on a non-zero exit or a signal, `always` on any exit, `never` never. @default 'on-failure' */
  policy: key<(typeof POLICIES)[number]>()({
    type: "`'on-failure'`, `'always'`, `'never'`",
    default: 'on-failure',
    doc: '`on-failure`: non-zero exit or signal.',
    check: (c, path, v) => {
      if (!(POLICIES as readonly unknown[]).includes(v)) c.add(path, "'on-failure', 'always' or 'never'", v);
    },
  }),
  /** Give up (state `errored`) after more than this many short runs within `window` (PM2 gives up after 16 unstable restarts). @default 15 */
  maxRestarts: key<number>()({
    type: 'number',
    default: 15,
    doc: 'Give up (`errored`) after more short runs (failed starts included) than this within `window`.',
    check: int(0),
  }),
  /** The window in ms over which short runs are counted. @default 60000 */
  window: key<number>()({ type: 'ms', default: 60_000, doc: 'Window over which short runs are counted.', check: ms(1) }),
  /** A run shorter than this (ms) counts toward giving up and grows the backoff; a longer one resets both. @default 1000 */
  minUptime: key<number>()({
    type: 'ms',
    default: 1_000,
    doc: 'A shorter run, or one that never became ready however long it took, counts toward giving up and grows the backoff; a longer ready one resets the backoff, so the first restart after a long healthy run is immediate.',
    check: ms(0),
  }),
  /** Exponential backoff between restarts after short runs, with ±20 % jitter. */
  backoff: key<ConfigOf<typeof backoffKeys>>()({
    type: 'object',
    doc: 'Exponential backoff between restarts after short runs, ±20 % jitter, never above `max`.',
    section: { keys: backoffKeys, expected: '{ initial, max }' },
  }),
};

/** Keys of `stop`. */
export const stopKeys = {
  /** Signal sent to the app's whole process group. @default 'SIGTERM' */
  signal: key<NodeJS.Signals>()({
    type: 'signal name',
    default: 'SIGTERM',
    doc: "Sent to the app's whole process group.",
    check: (c, path, v) => {
      if (!(SIGNALS as readonly unknown[]).includes(v)) c.add(path, `one of ${SIGNALS.join(', ')}`, v);
    },
  }),
  /** Ms to wait before SIGKILL to the group. @default 5000 */
  timeout: key<number>()({ type: 'ms', default: 5_000, doc: 'Then SIGKILL to the group (and any descendant that left it).', check: ms(0) }),
};

/** Keys of `health`. */
export const healthKeys = {
  /** Probe this URL (2xx/3xx is healthy). */
  http: key<string>()({ type: 'URL', doc: 'Probe URL (2xx/3xx healthy).', check: url }),
  /** Or probe this TCP port / `host:port`. */
  tcp: key<number | string>()({ type: "port or `'host:port'`", doc: 'Or a TCP probe.', check: tcp }),
  /** Ms between probes. @default 5000 */
  interval: key<number>()({ type: 'ms', default: 5_000, doc: 'Between probes.', check: ms(10) }),
  /** Failed probes in a row before a restart. @default 3 */
  failures: key<number>()({ type: 'number', default: 3, doc: 'Failed probes in a row before a restart.', check: int(1) }),
  /** Ms before one probe counts as failed. @default 2000 */
  timeout: key<number>()({ type: 'ms', default: 2_000, doc: "One probe's timeout.", check: ms(1) }),
};

/** Keys of `logs`. */
export const logsKeys = {
  /** Rotate when the file is larger than this: bytes, or a size like '10M', '512K', '1G'. @default '10M' */
  maxSize: key<string | number>()({
    type: "bytes or `'10M'`",
    default: '10M',
    doc: 'Rotate above this size (K, M, G are binary units).',
    check: size,
  }),
  /** Rotated copies kept (`<name>.log.1` … `.N`). @default 5 */
  keep: key<number>()({ type: 'number', default: 5, doc: 'Rotated copies kept (`.1` … `.N`).', check: int(0, 100) }),
};

/** Keys of `dashboard.metrics`. */
export const metricsKeys = {
  /**
   * Whether `GET /metrics` needs the control token; `false` lets a scraper on this machine read the
   * metrics without it (they name apps and their state, never a secret). The port stays on 127.0.0.1. @default true
   */
  token: key<boolean>()({
    type: 'boolean',
    default: true,
    doc: '`false` lets a scraper on this machine read `GET /metrics` without the token (the port stays on 127.0.0.1; every other route still needs it).',
    check: (c, path, v) => {
      if (typeof v !== 'boolean') c.add(path, 'true or false (false lets a local scraper read GET /metrics without the token)', v);
    },
  }),
};

/** Keys of `dashboard`. */
export const dashboardKeys = {
  /** Port on 127.0.0.1; 0 picks a free one; `false` at the top level disables the dashboard. @default 4000 */
  port: key<number>()({ type: 'number', default: 4000, doc: 'Port on 127.0.0.1 (0 picks a free one).', check: int(0, 65535) }),
  /** `GET /metrics` (Prometheus text format). @default { token: true } */
  metrics: key<ConfigOf<typeof metricsKeys>>()({
    type: 'object',
    doc: '`GET /metrics` (Prometheus text format) on the same port.',
    section: { keys: metricsKeys, expected: '{ token: false } (or { token: true }, the default)' },
  }),
};
