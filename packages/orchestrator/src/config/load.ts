import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { ConfigLoadFailedError, ConfigNotFoundError } from '../errors.js';
import { configFileNames, findConfigFile } from './find.js';
import { fromPm2Ecosystem } from './pm2.js';
import { resolveConfig, type ResolvedConfig } from './resolve.js';

export { configFileNames, findConfigFile };

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** A config file to load instead of searching. @default search `dir` for {@link configFileNames} */
  file?: string;
  /** Folder to search. @default process.cwd() */
  dir?: string;
  /**
   * Ms the file may take to evaluate (a config that awaits something that never settles fails with
   * ConfigLoadFailedError instead of hanging). @default env PM_CONFIG_TIMEOUT_MS, else 10000
   */
  timeout?: number;
  /** Environment read for `PM_CONFIG_TIMEOUT_MS`. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Default of {@link LoadConfigOptions.timeout} when env `PM_CONFIG_TIMEOUT_MS` is not set. */
export const configLoadTimeoutDefault = 10_000;

/** The load timeout to use: the option, else a valid env `PM_CONFIG_TIMEOUT_MS`, else the default. */
function loadTimeout(options: LoadConfigOptions): number {
  if (options.timeout !== undefined) return options.timeout;
  const raw = (options.env ?? process.env).PM_CONFIG_TIMEOUT_MS;
  if (raw === undefined || raw === '') return configLoadTimeoutDefault;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1 || ms > 2_147_483_647) {
    throw new ConfigLoadFailedError(
      '(env PM_CONFIG_TIMEOUT_MS)',
      new Error(`PM_CONFIG_TIMEOUT_MS must be a whole number of ms from 1, got ${JSON.stringify(raw)}`),
    );
  }
  return ms;
}

/** Settles like `work`, or rejects once `ms` pass; the timer keeps the process alive meanwhile (on purpose: a pending promise alone would let it exit as if done). */
async function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `it did not finish evaluating within ${ms} ms (does it export a promise or a function that never settles?); raise the limit with env PM_CONFIG_TIMEOUT_MS if it is only slow`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A loaded, validated config with the file it came from and any warnings (ignored PM2 fields). */
export interface LoadedConfig {
  config: ResolvedConfig;
  file: string;
  warnings: string[];
}

/**
 * Loads `pm.config.{ts,mjs,js,json}` (TypeScript through jiti) or a PM2 `ecosystem.config.js`,
 * validates it and fills in defaults, within a time limit (see {@link LoadConfigOptions.timeout}). Throws ConfigNotFoundError, ConfigLoadFailedError,
 * ConfigInvalidError or DependencyCycleError.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const dir = resolve(options.dir ?? process.cwd());
  const file = options.file ? resolve(dir, options.file) : findConfigFile(dir);
  if (!file) throw new ConfigNotFoundError(dir, configFileNames);
  if (!existsSync(file)) throw new ConfigLoadFailedError(file, new Error('file not found'));
  const timeout = loadTimeout(options);
  let raw: unknown;
  try {
    raw = await bounded(evaluate(file), timeout);
  } catch (error) {
    throw new ConfigLoadFailedError(file, error);
  }
  let warnings: string[] = [];
  if (basename(file).startsWith('ecosystem')) {
    const converted = fromPm2Ecosystem(raw);
    raw = converted.config;
    warnings = converted.warnings;
  }
  return { config: resolveConfig(raw, { baseDir: dirname(file), file }), file, warnings };
}

async function evaluate(file: string): Promise<unknown> {
  if (extname(file) === '.json') return JSON.parse(readFileSync(file, 'utf8'));
  // jiti runs .ts configs without a build step and also accepts CommonJS ecosystem files in
  // "type": "module" projects, which a plain import() would reject.
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false, interopDefault: true });
  const mod = await jiti.import<unknown>(file, { default: true });
  return typeof mod === 'function' ? await (mod as () => unknown)() : mod;
}
