import { isAbsolute, resolve as resolvePath } from 'node:path';
import { ConfigInvalidError } from '../errors.js';
import { configDefaults } from './defaults.js';
import { dependencyOrder } from './graph.js';
import { parseSize } from './size.js';
import type { AppConfig, PmConfig, ReadyConfig } from './types.js';
import { validateConfig } from './validate.js';

/** How readiness is detected, after defaults. */
export type ResolvedReady =
  /** No kind configured: a `script` app is ready when @pm/health says so, or when the `announce` window passes in silence. */
  | { kind: 'none'; timeout: number; interval: number; announce: number }
  | { kind: 'http'; url: string; timeout: number; interval: number }
  | { kind: 'tcp'; target: string | number; timeout: number; interval: number }
  | { kind: 'log'; pattern: string | RegExp; timeout: number; interval: number }
  | { kind: 'ipc'; timeout: number; interval: number };

/** One app with every default filled in and paths made absolute. */
export interface ResolvedApp {
  name: string;
  /** `script` apps run with node and get an IPC channel for readiness messages. */
  script: string | null;
  command: string | string[] | null;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  port: number | 'auto' | null;
  ready: ResolvedReady;
  dependsOn: string[];
  restart: {
    policy: 'on-failure' | 'always' | 'never';
    maxRestarts: number;
    window: number;
    minUptime: number;
    backoff: { initial: number; max: number };
  };
  stop: { signal: NodeJS.Signals; timeout: number };
  health: { http: string | null; tcp: string | number | null; interval: number; failures: number; timeout: number } | null;
  logs: { maxSize: number; keep: number };
  maxMemory: number | null;
}

/** A config with every default filled in, apps in dependency order. */
export interface ResolvedConfig {
  apps: ResolvedApp[];
  dashboard: { port: number; metrics: { token: boolean } } | false;
  /** Folder that relative `cwd`s are resolved against (the config file's folder). */
  baseDir: string;
  /** The config file, when loaded from one. */
  file: string | null;
}

/** Options of {@link resolveConfig}. */
export interface ResolveConfigOptions {
  /** Folder relative paths are resolved against. @default process.cwd() */
  baseDir?: string;
  /** The file the config came from, named in errors. @default none */
  file?: string;
}

const d = configDefaults.app;

// Configs this module produced. createOrchestrator() takes a resolved config as it is and validates
// anything else: a look at the shape (a `baseDir` key) would let a raw config skip validation.
const resolvedConfigs = new WeakSet<object>();

/** True when `config` came from {@link resolveConfig} (possibly edited since), so it needs no validation. */
export function isResolvedConfig(config: unknown): config is ResolvedConfig {
  return typeof config === 'object' && config !== null && resolvedConfigs.has(config);
}

/**
 * Validates a config (reporting every problem at once with {@link ConfigInvalidError}), rejects
 * dependency cycles ({@link DependencyCycleError}) and fills in every default.
 */
export function resolveConfig(raw: unknown, options: ResolveConfigOptions = {}): ResolvedConfig {
  const problems = validateConfig(raw);
  if (problems.length > 0) throw new ConfigInvalidError(problems, options.file);
  const config = raw as PmConfig;
  const baseDir = resolvePath(options.baseDir ?? process.cwd());
  const apps = dependencyOrder(config.apps.map((app) => resolveApp(app, baseDir)));
  const dashboard =
    config.dashboard === false
      ? false
      : {
          port: config.dashboard?.port ?? configDefaults.dashboard.port,
          metrics: { token: config.dashboard?.metrics?.token ?? configDefaults.dashboard.metrics.token },
        };
  const resolved: ResolvedConfig = { apps, dashboard, baseDir, file: options.file ?? null };
  resolvedConfigs.add(resolved);
  return resolved;
}

function resolveApp(app: AppConfig, baseDir: string): ResolvedApp {
  const cwd = isAbsolute(app.cwd ?? d.cwd) ? app.cwd! : resolvePath(baseDir, app.cwd ?? d.cwd);
  const readyRaw: ReadyConfig = app.ready === 'ipc' ? { ipc: true } : (app.ready ?? {});
  const timeout = readyRaw.timeout ?? d.ready.timeout;
  const interval = readyRaw.interval ?? d.ready.interval;
  let ready: ResolvedReady = { kind: 'none', timeout, interval, announce: readyRaw.announce ?? d.ready.announce };
  if (readyRaw.http !== undefined) ready = { kind: 'http', url: readyRaw.http, timeout, interval };
  else if (readyRaw.tcp !== undefined) ready = { kind: 'tcp', target: readyRaw.tcp, timeout, interval };
  else if (readyRaw.log !== undefined) ready = { kind: 'log', pattern: readyRaw.log, timeout, interval };
  else if (readyRaw.ipc) ready = { kind: 'ipc', timeout, interval };
  const r = app.restart ?? {};
  return {
    name: app.name,
    script: app.script !== undefined ? resolvePath(cwd, app.script) : null,
    command: app.command ?? null,
    args: [...(app.args ?? d.args)],
    cwd,
    env: { ...(app.env ?? d.env) },
    port: app.port ?? null,
    ready,
    dependsOn: [...(app.dependsOn ?? d.dependsOn)],
    restart: {
      policy: r.policy ?? d.restart.policy,
      maxRestarts: r.maxRestarts ?? d.restart.maxRestarts,
      window: r.window ?? d.restart.window,
      minUptime: r.minUptime ?? d.restart.minUptime,
      backoff: { initial: r.backoff?.initial ?? d.restart.backoff.initial, max: r.backoff?.max ?? d.restart.backoff.max },
    },
    stop: { signal: app.stop?.signal ?? d.stop.signal, timeout: app.stop?.timeout ?? d.stop.timeout },
    health: app.health
      ? {
          http: app.health.http ?? null,
          tcp: app.health.tcp ?? null,
          interval: app.health.interval ?? d.health.interval,
          failures: app.health.failures ?? d.health.failures,
          timeout: app.health.timeout ?? d.health.timeout,
        }
      : null,
    logs: { maxSize: parseSize(app.logs?.maxSize ?? d.logs.maxSize)!, keep: app.logs?.keep ?? d.logs.keep },
    maxMemory: app.maxMemory !== undefined ? parseSize(app.maxMemory) : null,
  };
}
