import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of this package's `bin/pm.js` (found from this module, in src/ or in dist/). */
export function pmBinPath(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === '@pm/orchestrator')
      return join(dir, 'bin', 'pm.js');
  }
  throw new Error('@pm/orchestrator: cannot find its own package.json to locate bin/pm.js');
}
