import { configDefaults } from '../config/defaults.js';
import type { ResolvedApp } from '../config/resolve.js';
import { parseSize } from '../config/size.js';
import { configKeys } from '../config/validate.js';
import type { ExportContext, MappingRow } from './types.js';

/** Every per-app config key (leaf), as the mapping tables name them: `name`, `ready.http`, `restart.backoff.max`… */
export const appKeys: readonly string[] = configKeys.app.flatMap((key): string[] => {
  if (key === 'restart')
    return [
      ...configKeys.restart.filter((k) => k !== 'backoff').map((k) => `restart.${k}`),
      ...configKeys.backoff.map((k) => `restart.backoff.${k}`),
    ];
  if (key === 'ready' || key === 'stop' || key === 'health' || key === 'logs') return configKeys[key].map((k) => `${key}.${k}`);
  return [key];
});

/** The value an app has for `key`, or undefined when the app leaves it unset or at its default. */
export function settingOf(app: ResolvedApp, key: string): unknown {
  const value = currentValues(app)[key];
  if (value === undefined || value === null) return undefined;
  const fallback = defaultValues[key];
  return fallback !== undefined && JSON.stringify(fallback) === JSON.stringify(value) ? undefined : value;
}

function currentValues(app: ResolvedApp): Record<string, unknown> {
  const r = app.ready;
  const h = app.health;
  return {
    name: app.name,
    script: app.script,
    command: app.command,
    args: app.args.length > 0 ? app.args : undefined,
    cwd: app.cwd,
    env: Object.keys(app.env).length > 0 ? app.env : undefined,
    port: app.port,
    'ready.http': r.kind === 'http' ? r.url : undefined,
    'ready.tcp': r.kind === 'tcp' ? r.target : undefined,
    'ready.log': r.kind === 'log' ? String(r.pattern) : undefined,
    'ready.ipc': r.kind === 'ipc' ? true : undefined,
    'ready.timeout': r.timeout,
    'ready.interval': r.interval,
    'ready.announce': r.kind === 'none' ? r.announce : undefined,
    dependsOn: app.dependsOn.length > 0 ? app.dependsOn : undefined,
    'restart.policy': app.restart.policy,
    'restart.maxRestarts': app.restart.maxRestarts,
    'restart.window': app.restart.window,
    'restart.minUptime': app.restart.minUptime,
    'restart.backoff.initial': app.restart.backoff.initial,
    'restart.backoff.max': app.restart.backoff.max,
    'stop.signal': app.stop.signal,
    'stop.timeout': app.stop.timeout,
    'health.http': h?.http,
    'health.tcp': h?.tcp,
    'health.interval': h?.interval,
    'health.failures': h?.failures,
    'health.timeout': h?.timeout,
    'logs.maxSize': app.logs.maxSize,
    'logs.keep': app.logs.keep,
    maxMemory: app.maxMemory,
  };
}

const d = configDefaults.app;
const defaultValues: Record<string, unknown> = {
  cwd: undefined,
  'ready.timeout': d.ready.timeout,
  'ready.interval': d.ready.interval,
  'ready.announce': d.ready.announce,
  'restart.policy': d.restart.policy,
  'restart.maxRestarts': d.restart.maxRestarts,
  'restart.window': d.restart.window,
  'restart.minUptime': d.restart.minUptime,
  'restart.backoff.initial': d.restart.backoff.initial,
  'restart.backoff.max': d.restart.backoff.max,
  'stop.signal': d.stop.signal,
  'stop.timeout': d.stop.timeout,
  'health.interval': d.health.interval,
  'health.failures': d.health.failures,
  'health.timeout': d.health.timeout,
  'logs.maxSize': parseSize(d.logs.maxSize),
  'logs.keep': d.logs.keep,
};

/** True when the app sets `key` to a non-default value: the default test of a `field: null` row. */
export const sets =
  (key: string) =>
  (app: ResolvedApp): boolean =>
    settingOf(app, key) !== undefined;

/** One line per setting `app` loses in `target`, from the target's mapping table. */
export function lostSettings(target: string, mapping: readonly MappingRow[], app: ResolvedApp, ctx: ExportContext): string[] {
  const lines: string[] = [];
  for (const row of mapping) {
    const lost = row.lost ?? (row.field === null ? sets(row.key) : () => false);
    if (lost(app, ctx)) lines.push(`${app.name}: ${row.key} has no equivalent in ${target}. ${row.lostNote ?? row.note}`);
  }
  return lines;
}

/** Rows every target shares: how a config key is judged is the same whatever the target. */
export const lostWhen = {
  /** The port is `'auto'`: picked at start, which a static file cannot do. */
  autoPort: (app: ResolvedApp): boolean => app.port === 'auto',
  /** The app is ready on a log line. */
  logReady: (app: ResolvedApp): boolean => app.ready.kind === 'log',
  /** The app is ready on an IPC message. */
  ipcReady: (app: ResolvedApp): boolean => app.ready.kind === 'ipc',
  /** A dependency of the app has no http/tcp ready probe, so nothing can wait for it. */
  unprobedDependency: (app: ResolvedApp, ctx: ExportContext): boolean =>
    app.dependsOn.some((name) => {
      const dep = ctx.config.apps.find((a) => a.name === name);
      return dep !== undefined && dep.ready.kind !== 'http' && dep.ready.kind !== 'tcp';
    }),
};

/** The restart tuning keys, for a target that never restarts an app (its `restart.policy` row says why). */
export const restartTuningWithoutRestarts: readonly MappingRow[] = [
  'restart.maxRestarts',
  'restart.window',
  'restart.minUptime',
  'restart.backoff.initial',
  'restart.backoff.max',
].map((key) => ({ key, field: null, note: 'No restarts (see `restart.policy`).' }));
