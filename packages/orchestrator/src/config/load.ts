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
}

/** A loaded, validated config with the file it came from and any warnings (ignored PM2 fields). */
export interface LoadedConfig {
  config: ResolvedConfig;
  file: string;
  warnings: string[];
}

/**
 * Loads `pm.config.{ts,mjs,js,json}` (TypeScript through jiti) or a PM2 `ecosystem.config.js`,
 * validates it and fills in defaults. Throws ConfigNotFoundError, ConfigLoadFailedError,
 * ConfigInvalidError or DependencyCycleError.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const dir = resolve(options.dir ?? process.cwd());
  const file = options.file ? resolve(dir, options.file) : findConfigFile(dir);
  if (!file) throw new ConfigNotFoundError(dir, configFileNames);
  if (!existsSync(file)) throw new ConfigLoadFailedError(file, new Error('file not found'));
  let raw: unknown;
  try {
    raw = await evaluate(file);
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
