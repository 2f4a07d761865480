import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** File names looked for, in this order, when no file is given. */
export const configFileNames = [
  'pm.config.ts',
  'pm.config.mts',
  'pm.config.mjs',
  'pm.config.js',
  'pm.config.cjs',
  'pm.config.json',
  'ecosystem.config.js',
  'ecosystem.config.cjs',
] as const;

/** Finds the config file in `dir`, or null. */
export function findConfigFile(dir: string): string | null {
  for (const name of configFileNames) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  return null;
}
