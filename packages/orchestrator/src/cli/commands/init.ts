import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findConfigFile } from '../../config/load.js';
import type { CommandContext } from '../context.js';

/** `pm init [--force]`: writes a starter pm.config.mjs. */
export async function initCommand(ctx: CommandContext): Promise<number> {
  const dir = process.cwd();
  const existing = findConfigFile(dir);
  if (existing && !ctx.values.force) {
    ctx.stderr.write(`${existing} already exists; pass --force to write pm.config.mjs anyway.\n`);
    return 1;
  }
  let script = 'index.js';
  let name = 'app';
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; main?: string };
    if (pkg.main) script = pkg.main;
    if (pkg.name) name = pkg.name.replace(/^@[^/]+\//, '').replace(/[^A-Za-z0-9._-]/g, '-');
  } catch {
    // no package.json: keep the placeholders
  }
  const file = join(dir, 'pm.config.mjs');
  writeFileSync(
    file,
    `// pm config: see https://github.com/ (packages/orchestrator/README.md) for every key.
/** @type {import('@pm/orchestrator').PmConfig} */
export default {
  apps: [
    {
      name: '${name}',
      script: '${script}',
      port: 'auto', // a free port, passed as PORT
      ready: { http: 'http://localhost:\${PORT}/health', timeout: 30000 },
      restart: { policy: 'on-failure', maxRestarts: 10, window: 60000, minUptime: 1000 },
      stop: { signal: 'SIGTERM', timeout: 5000 },
      logs: { maxSize: '10M', keep: 5 },
    },
  ],
};
`,
  );
  ctx.stdout.write(`Wrote ${file}${existsSync(join(dir, '.gitignore')) ? '' : ' (add .pm/ to your .gitignore)'}\n`);
  return 0;
}
