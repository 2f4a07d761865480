import { isObject, type Checker } from './checker.js';
import { key, type CheckContext, type Section } from './schema-kit.js';
import { dashboardKeys, healthKeys, logsKeys, readySection, restartKeys, size, stopKeys, strings } from './schema-sections.js';
import type { AppConfig, DashboardConfig, HealthConfig, LogsConfig, ReadyConfig, RestartConfig, StopConfig } from './types.js';

// The config schema: every key once, with its TSDoc (what editors show on the `defineConfig` types),
// its README row, its default and its check. A new key is one entry here (or in schema-sections.ts)
// plus its docs; types.ts, configDefaults, validateConfig and the README table (pnpm docs:config)
// are derived from it.

const NAME = /^[A-Za-z0-9._-]+$/;
/** Names the CLI cannot address: `all` means every app (`pm stop all`); `.` and `..` are folders in log paths. */
const RESERVED_NAMES: Record<string, string> = {
  all: '"all" is reserved: `pm stop all` means every app',
  '.': '"." is a folder name, not an app name',
  '..': '".." is a folder name, not an app name',
};
/** Keys of one app. */
export const appKeys = {
  /** Unique name: letters, digits, `.`, `_`, `-`; not `.`, `..` or `all`. */
  name: key<string>()({
    type: 'string',
    required: true,
    doc: 'Unique name: letters, digits, `.`, `_`, `-`; not `.`, `..` or `all` (which the CLI cannot address).',
    check: (c, path, v) => {
      if (typeof v !== 'string' || !NAME.test(v)) c.add(path, 'a name made of letters, digits, ".", "_" or "-"', v);
      else if (Object.hasOwn(RESERVED_NAMES, v)) c.add(path, `another name: ${RESERVED_NAMES[v]}`, v);
    },
  }),
  /** A Node.js script, run with the same node as pm. */
  script: key<string>()({
    type: 'string',
    doc: 'A Node.js script, run with the same `node` as pm (gets an IPC channel).',
    check: (c, path, v) => {
      if (typeof v !== 'string' || v === '') c.add(path, 'a path to a Node.js script', v);
    },
  }),
  /** A command: an array is run without a shell; a string runs through `/bin/sh -c`. */
  command: key<string | string[]>()({
    type: 'string[] or string',
    doc: 'Instead of `script`. An array runs without a shell; a string runs through `/bin/sh -c`.',
    check: (c, path, v) => {
      const ok =
        (typeof v === 'string' && v.trim() !== '') ||
        (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== ''));
      if (!ok) c.add(path, 'a non-empty array of strings (no shell) or a string (run through a shell)', v);
    },
  }),
  /** Extra arguments. @default [] */
  args: key<string[]>()({
    type: 'string[]',
    default: [],
    doc: 'Extra arguments for a `script` or an array `command`. Refused with a string `command`: put them in the string, or make `command` an array.',
    check: strings('an array of strings'),
  }),
  /** Working folder, relative to the config file's folder. @default '.' */
  cwd: key<string>()({
    type: 'string',
    default: '.',
    doc: 'Working folder, relative to the config file.',
    check: (c, path, v) => {
      if (typeof v !== 'string' || v === '') c.add(path, 'a folder path', v);
    },
  }),
  /** Extra environment variables, merged over pm's own environment. @default {} */
  env: key<Record<string, string>>()({
    type: 'object',
    default: {},
    doc: "Extra environment, merged over pm's. `PORT` and `PM_APP_NAME` are set too.",
    check: (c, path, v) => {
      if (!isObject(v)) return c.add(path, 'an object of string values', v);
      for (const [k, value] of Object.entries(v)) if (typeof value !== 'string') c.add(`${path}.${k}`, 'a string', value);
    },
  }),
  /** Port the app serves on, passed as env `PORT`; `'auto'` picks a free one (get-port). @default none */
  port: key<number | 'auto'>()({
    type: "number or `'auto'`",
    doc: 'Passed as `PORT`. A fixed port that is busy fails the start with `PM_PORT_IN_USE`. `auto` picks a free port once and keeps it across restarts; if another process took it meanwhile, the next run gets a new one and the app log says so.',
    check: (c, path, v) => {
      if (v !== 'auto') c.int(path, v, 1, 65535);
    },
  }),
  /**
   * How readiness is detected; `'ipc'` is short for `{ ipc: true }`. @default for a `script` app, what
   * `@pm/health` announces over IPC (see `ready.announce`); otherwise ready as soon as spawned
   */
  ready: key<ReadyConfig | 'ipc'>()({
    type: "object or `'ipc'`",
    doc: 'At most one of `http`, `tcp`, `log`, `ipc`. Without one, a `script` app is ready when its `@pm/health` says so (or after a silent `announce` window), a `command` app once spawned ([below](#readiness-from-pmhealth-no-config)).',
    section: readySection,
    shorthand: (v) => v === 'ipc',
  }),
  /** Apps that must be ready before this one starts. @default [] */
  dependsOn: key<string[]>()({
    type: 'string[]',
    default: [],
    doc: 'Start after these are ready; stop before them. Cycles are rejected, named.',
    // Each entry is checked against the other apps' names in checkApp.
    check: (c, path, v) => {
      if (!Array.isArray(v)) c.add(path, 'an array of app names', v);
    },
  }),
  /** Restart policy. */
  restart: key<RestartConfig>()({ type: 'object', doc: 'Restart policy.', section: { keys: restartKeys, expected: 'an object' } }),
  /** Stop signal and timeout. */
  stop: key<StopConfig>()({ type: 'object', doc: 'How the app is stopped.', section: { keys: stopKeys, expected: '{ signal, timeout }' } }),
  /** Liveness probe. @default none */
  health: key<HealthConfig>()({
    type: 'object',
    doc: 'Liveness probe: `failures` failed probes in a row restart the app.',
    section: {
      keys: healthKeys,
      expected: '{ http | tcp, interval, failures, timeout }',
      refine(c, p, h) {
        if ((h.http === undefined) === (h.tcp === undefined)) c.add(p, 'exactly one of http or tcp');
      },
    },
  }),
  /** Log rotation. */
  logs: key<LogsConfig>()({
    type: 'object',
    doc: '`<PM_HOME>/logs/<name>.log`, stdout and stderr together; each run begins with a line `--- pm: <name> starting at <ISO time> ---`.',
    section: { keys: logsKeys, expected: '{ maxSize, keep }' },
  }),
  /** Restart when the app's resident memory exceeds this: bytes or a size like '512M'. @default none */
  maxMemory: key<string | number>()({
    type: "bytes or `'512M'`",
    doc: "Restart when the app's RSS exceeds it (sampled every second).",
    check: size,
  }),
};

/** Checks across one app's keys. */
function checkApp(c: Checker, p: string, app: Record<string, unknown>, ctx: CheckContext): void {
  if (app.script === undefined && app.command === undefined) c.add(p, 'one of `script` or `command`');
  if (app.script !== undefined && app.command !== undefined) c.add(p, 'only one of `script` or `command`, not both');
  if (typeof app.command === 'string' && Array.isArray(app.args) && app.args.length > 0) {
    // A shell command line cannot take separate arguments safely: joined unquoted, `a b` would split
    // and `$x` or `;` would be interpreted. Make the user pick one form instead of guessing.
    c.say(
      `${p}.args`,
      'not allowed with a string `command` (a shell command line; the arguments would be joined unquoted): put the arguments in the command string, or make command an array (run without a shell)',
    );
  }
  if (Array.isArray(app.dependsOn)) {
    app.dependsOn.forEach((d: unknown, j: number) => {
      if (typeof d !== 'string' || !ctx.names.has(d))
        c.add(`${p}.dependsOn[${j}]`, `the name of another app (${[...ctx.names].join(', ')})`, d);
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
        c.say(`${p}.${section}.${kind}`, "uses ${PORT} but the app has no port: set port (a number, or 'auto' for a free one)");
      }
    }
  }
}

/** Keys at the top of a config file. */
export const topKeys = {
  /** The apps to supervise. */
  apps: key<AppConfig[]>()({
    type: 'array',
    required: true,
    doc: 'The apps to supervise (at least one).',
    list: true,
    section: { keys: appKeys, expected: 'an app object with a name and a script or command', refine: checkApp },
    check: (c, path, v) => {
      if (!Array.isArray(v)) return c.add(path, 'an array of apps', v);
      if (v.length === 0) c.add(path, 'at least one app');
      const seen = new Set<string>();
      v.forEach((app: unknown, i: number) => {
        if (!isObject(app) || typeof app.name !== 'string') return;
        if (seen.has(app.name)) c.add(`${path}[${i}].name`, `a unique name; "${app.name}" is used twice`);
        seen.add(app.name);
      });
    },
  }),
  /** Control API and dashboard, or false to serve none. @default { port: 4000 } */
  dashboard: key<DashboardConfig | false>()({
    type: 'object or `false`',
    doc: 'Control API and dashboard; `false` serves none.',
    section: { keys: dashboardKeys, expected: '{ port } or false' },
    shorthand: (v) => v === false,
  }),
};

export { backoffKeys, dashboardKeys, healthKeys, logsKeys, metricsKeys, readyKeys, restartKeys, stopKeys } from './schema-sections.js';

/** The whole config: the root section validateConfig checks. */
export const configSection = { keys: topKeys, expected: 'an object with an `apps` array' } satisfies Section;
