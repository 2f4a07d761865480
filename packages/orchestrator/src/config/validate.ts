import type { ConfigProblem } from '../errors.js';
import { configDefaults } from './defaults.js';
import { parseSize } from './size.js';

// Hand-written rather than a schema library: the checks are few, and writing them here keeps every
// message in the "path: expected X, got Y" form the CLI prints, with no extra dependency to ship.

const NAME = /^[A-Za-z0-9._-]+$/;
const SIGNALS = new Set(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => {
  if (v instanceof RegExp) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** The longest delay Node's timers accept. */
const MAX_TIMER_MS = 2_147_483_647;

class Checker {
  readonly problems: ConfigProblem[] = [];

  /** Records a problem; with a third argument the message also shows the value found. */
  add(path: string, expected: string, ...got: unknown[]): void {
    this.problems.push({ path, message: got.length > 0 ? `expected ${expected}, got ${show(got[0])}` : `expected ${expected}` });
  }

  keys(path: string, value: Record<string, unknown>, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.problems.push({ path: `${path}.${key}`, message: `unknown key (allowed: ${allowed.join(', ')})` });
    }
  }

  int(path: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(path, `an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`, value);
    }
  }

  /** Milliseconds: an integer timers can hold (setTimeout fires at once for anything above 2^31 - 1). */
  ms(path: string, value: unknown, min: number): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_TIMER_MS) {
      this.add(
        path,
        `a whole number of milliseconds from ${min} to ${MAX_TIMER_MS} (about 24.8 days, the longest a timer can wait)`,
        value,
      );
    }
  }

  size(path: string, value: unknown): void {
    if (value === undefined) return;
    if ((typeof value !== 'string' && typeof value !== 'number') || parseSize(value) === null) {
      this.add(path, "a size in bytes or like '10M', '512K', '1G'", value);
    }
  }

  tcp(path: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value === 'number') return this.int(path, value, 1, 65535);
    if (typeof value !== 'string' || !/^(?:[^:]+:|\[[^\]]+\]:)?(?:\d{1,5}|\$\{PORT\})$/.test(value)) {
      this.add(path, "a port number or 'host:port'", value);
    }
  }

  url(path: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || !/^https?:\/\/\S+$/.test(value) || !URL.canParse(value.replaceAll('${PORT}', '1'))) {
      this.add(path, 'an http:// or https:// URL', value);
    }
  }
}

/** Every key the config accepts, by section (the README's reference is tested against this list). */
export const configKeys = {
  top: ['apps', 'dashboard'],
  app: ['name', 'script', 'command', 'args', 'cwd', 'env', 'port', 'ready', 'dependsOn', 'restart', 'stop', 'health', 'logs', 'maxMemory'],
  ready: ['http', 'tcp', 'log', 'ipc', 'timeout', 'interval', 'announce'],
  restart: ['policy', 'maxRestarts', 'window', 'minUptime', 'backoff'],
  backoff: ['initial', 'max'],
  stop: ['signal', 'timeout'],
  health: ['http', 'tcp', 'interval', 'failures', 'timeout'],
  logs: ['maxSize', 'keep'],
  dashboard: ['port', 'metrics'],
  metrics: ['token'],
} as const;

/** Checks a raw config object and returns every problem found (an empty array when it is valid). */
export function validateConfig(raw: unknown): ConfigProblem[] {
  const c = new Checker();
  if (!isObject(raw)) {
    c.add('(config)', 'an object with an `apps` array', raw);
    return c.problems;
  }
  c.keys('(config)', raw, configKeys.top);
  if (!Array.isArray(raw.apps)) {
    c.add('apps', 'an array of apps', raw.apps);
  } else {
    if (raw.apps.length === 0) c.add('apps', 'at least one app');
    const names = new Set<string>();
    raw.apps.forEach((app: unknown, i: number) => {
      if (isObject(app) && typeof app.name === 'string') {
        if (names.has(app.name)) c.add(`apps[${i}].name`, `a unique name; "${app.name}" is used twice`);
        names.add(app.name);
      }
    });
    raw.apps.forEach((app: unknown, i: number) => checkApp(c, `apps[${i}]`, app, names));
  }
  if (raw.dashboard !== undefined && raw.dashboard !== false) {
    if (!isObject(raw.dashboard)) c.add('dashboard', '{ port } or false', raw.dashboard);
    else {
      c.keys('dashboard', raw.dashboard, configKeys.dashboard);
      c.int('dashboard.port', raw.dashboard.port, 0, 65535);
      checkMetrics(c, raw.dashboard.metrics);
    }
  }
  return c.problems;
}

/** `dashboard.metrics`: `{ token: boolean }`. */
function checkMetrics(c: Checker, metrics: unknown): void {
  if (metrics === undefined) return;
  if (!isObject(metrics)) return c.add('dashboard.metrics', '{ token: false } (or { token: true }, the default)', metrics);
  c.keys('dashboard.metrics', metrics, configKeys.metrics);
  if (metrics.token !== undefined && typeof metrics.token !== 'boolean')
    c.add('dashboard.metrics.token', 'true or false (false lets a local scraper read GET /metrics without the token)', metrics.token);
}

function checkApp(c: Checker, p: string, app: unknown, names: Set<string>): void {
  if (!isObject(app)) return c.add(p, 'an app object with a name and a script or command', app);
  c.keys(p, app, configKeys.app);
  if (typeof app.name !== 'string' || !NAME.test(app.name)) c.add(`${p}.name`, 'a name made of letters, digits, ".", "_" or "-"', app.name);
  if (app.script === undefined && app.command === undefined) c.add(p, 'one of `script` or `command`');
  if (app.script !== undefined && app.command !== undefined) c.add(p, 'only one of `script` or `command`, not both');
  if (app.script !== undefined && (typeof app.script !== 'string' || app.script === ''))
    c.add(`${p}.script`, 'a path to a Node.js script', app.script);
  if (app.command !== undefined) {
    const ok =
      (typeof app.command === 'string' && app.command.trim() !== '') ||
      (Array.isArray(app.command) && app.command.length > 0 && app.command.every((x) => typeof x === 'string' && x !== ''));
    if (!ok) c.add(`${p}.command`, 'a non-empty array of strings (no shell) or a string (run through a shell)', app.command);
  }
  if (app.args !== undefined && (!Array.isArray(app.args) || !app.args.every((x) => typeof x === 'string')))
    c.add(`${p}.args`, 'an array of strings', app.args);
  else if (typeof app.command === 'string' && Array.isArray(app.args) && app.args.length > 0) {
    // A shell command line cannot take separate arguments safely: joined unquoted, `a b` would split
    // and `$x` or `;` would be interpreted. Make the user pick one form instead of guessing.
    c.problems.push({
      path: `${p}.args`,
      message:
        'not allowed with a string `command` (a shell command line; the arguments would be joined unquoted): put the arguments in the command string, or make command an array (run without a shell)',
    });
  }
  if (app.cwd !== undefined && (typeof app.cwd !== 'string' || app.cwd === '')) c.add(`${p}.cwd`, 'a folder path', app.cwd);
  if (app.env !== undefined) {
    if (!isObject(app.env)) c.add(`${p}.env`, 'an object of string values', app.env);
    else for (const [k, v] of Object.entries(app.env)) if (typeof v !== 'string') c.add(`${p}.env.${k}`, 'a string', v);
  }
  if (app.port !== undefined && app.port !== 'auto') c.int(`${p}.port`, app.port, 1, 65535);
  if (app.maxMemory !== undefined) c.size(`${p}.maxMemory`, app.maxMemory);
  if (app.dependsOn !== undefined) {
    if (!Array.isArray(app.dependsOn)) c.add(`${p}.dependsOn`, 'an array of app names', app.dependsOn);
    else
      app.dependsOn.forEach((d: unknown, j: number) => {
        if (typeof d !== 'string' || !names.has(d)) c.add(`${p}.dependsOn[${j}]`, `the name of another app (${[...names].join(', ')})`, d);
        else if (d === app.name) c.add(`${p}.dependsOn[${j}]`, 'another app, not the app itself', d);
      });
  }
  if (app.port === undefined) {
    // ${PORT} is the app's own port; without one there is nothing to put in its place.
    for (const [section, kind] of [
      ['ready', 'http'],
      ['ready', 'tcp'],
      ['health', 'http'],
      ['health', 'tcp'],
    ] as const) {
      const value = (app[section] as Record<string, unknown> | undefined)?.[kind];
      if (typeof value === 'string' && value.includes('${PORT}')) {
        c.problems.push({
          path: `${p}.${section}.${kind}`,
          message: "uses ${PORT} but the app has no port: set port (a number, or 'auto' for a free one)",
        });
      }
    }
  }
  if (app.ready !== undefined && app.ready !== 'ipc') {
    const r = app.ready;
    if (!isObject(r)) c.add(`${p}.ready`, "{ http | tcp | log | ipc, timeout }, { timeout, announce } or 'ipc'", r);
    else {
      c.keys(`${p}.ready`, r, configKeys.ready);
      const kinds = ['http', 'tcp', 'log', 'ipc'].filter((k) => r[k] !== undefined && r[k] !== false);
      // No kind at all is fine: `{ timeout, announce }` tunes the @pm/health announcement (script apps).
      if (kinds.length > 1) c.add(`${p}.ready`, `at most one of http, tcp, log or ipc (got ${kinds.join(', ')})`);
      if (kinds.length === 1 && r.announce !== undefined)
        c.add(`${p}.ready.announce`, `no announce with ready.${kinds[0]} (it only applies when no readiness kind is set)`);
      c.url(`${p}.ready.http`, r.http);
      c.tcp(`${p}.ready.tcp`, r.tcp);
      if (r.log !== undefined && !(typeof r.log === 'string' && r.log !== '') && !(r.log instanceof RegExp))
        c.add(`${p}.ready.log`, 'a non-empty string or a RegExp', r.log);
      if (r.ipc !== undefined && typeof r.ipc !== 'boolean') c.add(`${p}.ready.ipc`, 'true', r.ipc);
      c.ms(`${p}.ready.timeout`, r.timeout, 1);
      c.ms(`${p}.ready.interval`, r.interval, 10);
      c.ms(`${p}.ready.announce`, r.announce, 0);
      const timeout = typeof r.timeout === 'number' ? r.timeout : configDefaults.app.ready.timeout;
      if (typeof r.announce === 'number' && r.announce >= timeout)
        c.add(`${p}.ready.announce`, `less than ready.timeout (${timeout} ms)`, r.announce);
    }
  }
  if (app.restart !== undefined) {
    const r = app.restart;
    if (!isObject(r)) c.add(`${p}.restart`, 'an object', r);
    else {
      c.keys(`${p}.restart`, r, configKeys.restart);
      if (r.policy !== undefined && !['on-failure', 'always', 'never'].includes(r.policy as string))
        c.add(`${p}.restart.policy`, "'on-failure', 'always' or 'never'", r.policy);
      c.int(`${p}.restart.maxRestarts`, r.maxRestarts, 0);
      c.ms(`${p}.restart.window`, r.window, 1);
      c.ms(`${p}.restart.minUptime`, r.minUptime, 0);
      if (r.backoff !== undefined) {
        if (!isObject(r.backoff)) c.add(`${p}.restart.backoff`, '{ initial, max }', r.backoff);
        else {
          c.keys(`${p}.restart.backoff`, r.backoff, configKeys.backoff);
          c.ms(`${p}.restart.backoff.initial`, r.backoff.initial, 0);
          c.ms(`${p}.restart.backoff.max`, r.backoff.max, 0);
        }
      }
    }
  }
  if (app.stop !== undefined) {
    const s = app.stop;
    if (!isObject(s)) c.add(`${p}.stop`, '{ signal, timeout }', s);
    else {
      c.keys(`${p}.stop`, s, configKeys.stop);
      if (s.signal !== undefined && !SIGNALS.has(s.signal as string))
        c.add(`${p}.stop.signal`, `one of ${[...SIGNALS].join(', ')}`, s.signal);
      c.ms(`${p}.stop.timeout`, s.timeout, 0);
    }
  }
  if (app.health !== undefined) {
    const h = app.health;
    if (!isObject(h)) c.add(`${p}.health`, '{ http | tcp, interval, failures, timeout }', h);
    else {
      c.keys(`${p}.health`, h, configKeys.health);
      if ((h.http === undefined) === (h.tcp === undefined)) c.add(`${p}.health`, 'exactly one of http or tcp');
      c.url(`${p}.health.http`, h.http);
      c.tcp(`${p}.health.tcp`, h.tcp);
      c.ms(`${p}.health.interval`, h.interval, 10);
      c.int(`${p}.health.failures`, h.failures, 1);
      c.ms(`${p}.health.timeout`, h.timeout, 1);
    }
  }
  if (app.logs !== undefined) {
    const l = app.logs;
    if (!isObject(l)) c.add(`${p}.logs`, '{ maxSize, keep }', l);
    else {
      c.keys(`${p}.logs`, l, configKeys.logs);
      c.size(`${p}.logs.maxSize`, l.maxSize);
      c.int(`${p}.logs.keep`, l.keep, 0, 100);
    }
  }
}
