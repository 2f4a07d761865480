import type { AppConfig, PmConfig } from './types.js';
import { isObject } from '@pm/kernel/guards';

/** PM2 ecosystem fields that map onto pm config keys. */
export const pm2MappedFields = [
  'name',
  'script',
  'args',
  'cwd',
  'env',
  'interpreter',
  'autorestart',
  'max_restarts',
  'min_uptime',
  'restart_delay',
  'exp_backoff_restart_delay',
  'kill_timeout',
  'max_memory_restart',
] as const;

/** PM2 durations are ms numbers or strings like '10s', '500ms', '2m', '1h'. */
function duration(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) return value;
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(Number(m[1]) * factor);
}

/** PM2 takes args as one string; split it on blanks, honouring simple quotes. */
function splitArgs(args: unknown): unknown {
  if (typeof args !== 'string') return args;
  return [...args.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Result of {@link fromPm2Ecosystem}. */
export interface Pm2Conversion {
  config: PmConfig;
  /** One line per ignored field, naming the app and the field. */
  warnings: string[];
}

/**
 * Converts a PM2 `ecosystem.config.js` export (`{ apps: [...] }`) into a pm config. Fields pm has
 * no equivalent for are dropped with one warning each; values are left for validation to judge.
 */
export function fromPm2Ecosystem(ecosystem: unknown): Pm2Conversion {
  const warnings: string[] = [];
  const rawApps = isObject(ecosystem) ? ecosystem.apps : ecosystem;
  if (!Array.isArray(rawApps)) return { config: { apps: rawApps as AppConfig[] }, warnings };
  const apps = rawApps.map((raw: unknown, i: number) => {
    if (!isObject(raw)) return raw as AppConfig;
    const label = typeof raw.name === 'string' ? `"${raw.name}"` : `apps[${i}]`;
    const app: Record<string, unknown> = { name: raw.name };
    const args = splitArgs(raw.args);
    const interpreter = raw.interpreter;
    const script = raw.script;
    const looksLikeNode = typeof script === 'string' && /\.(c|m)?(j|t)s$/.test(script);
    if (interpreter !== undefined && interpreter !== 'node') {
      app.command = interpreter === 'none' ? [script] : [interpreter, script];
    } else if (typeof script === 'string' && !looksLikeNode && !script.includes('/')) {
      app.command = [script]; // e.g. script: 'npm', args: 'run dev'
    } else {
      app.script = script;
    }
    if (args !== undefined) app.args = args;
    if (raw.cwd !== undefined) app.cwd = raw.cwd;
    if (raw.env !== undefined) {
      app.env = isObject(raw.env)
        ? Object.fromEntries(Object.entries(raw.env).map(([k, v]) => [k, typeof v === 'number' || typeof v === 'boolean' ? String(v) : v]))
        : raw.env;
    }
    const restart: Record<string, unknown> = {};
    if (raw.autorestart !== undefined) restart.policy = raw.autorestart === false ? 'never' : 'always';
    if (raw.max_restarts !== undefined) restart.maxRestarts = raw.max_restarts;
    if (raw.min_uptime !== undefined) restart.minUptime = duration(raw.min_uptime);
    if (raw.exp_backoff_restart_delay !== undefined) {
      restart.backoff = { initial: duration(raw.exp_backoff_restart_delay), max: 15_000 };
    } else if (raw.restart_delay !== undefined) {
      const delay = duration(raw.restart_delay);
      restart.backoff = { initial: delay, max: delay };
    }
    if (Object.keys(restart).length > 0) app.restart = restart;
    if (raw.kill_timeout !== undefined) app.stop = { timeout: duration(raw.kill_timeout) };
    if (raw.max_memory_restart !== undefined) app.maxMemory = raw.max_memory_restart;
    for (const key of Object.keys(raw)) {
      if (!(pm2MappedFields as readonly string[]).includes(key))
        warnings.push(`PM2 field "${key}" of app ${label} is ignored: pm has no equivalent`);
    }
    return app as unknown as AppConfig;
  });
  if (isObject(ecosystem)) {
    for (const key of Object.keys(ecosystem)) if (key !== 'apps') warnings.push(`PM2 section "${key}" is ignored: pm has no equivalent`);
  }
  return { config: { apps }, warnings };
}
