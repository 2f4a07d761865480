import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * The app's root: the folder of the nearest package.json above the entry script (`process.argv[1]`),
 * so the default lock file is the same wherever the app is started from. Falls back to the working
 * directory when there is no entry script (REPL, `node -e`), when the entry lives in node_modules
 * (a runner such as vitest or a CLI, not the app itself), or when no package.json is found.
 */
export function appRoot(entry: string | undefined = process.argv[1], cwd: string = process.cwd()): string {
  if (!entry || resolve(entry).split(sep).includes('node_modules')) return cwd;
  for (let dir = dirname(resolve(cwd, entry)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}
