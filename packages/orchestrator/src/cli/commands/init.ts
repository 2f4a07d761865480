import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findConfigFile } from '../../config/load.js';
import type { CommandContext } from '../context.js';
import { detectApp, type DetectedApp } from './init-detect.js';

/** The config text: readiness from @pm/health over IPC when the app uses it, else the port accepting connections. */
export function configText(app: DetectedApp): string {
  const readiness = app.usesPmHealth
    ? `      // @pm/health announces readiness over IPC: no ready probe needed.
      health: { http: 'http://localhost:\${PORT}/livez', interval: 5000, failures: 3 },`
    : `      // Ready once the app accepts connections on the port pm passes as env PORT (listen on process.env.PORT).
      ready: { tcp: '\${PORT}', timeout: 30000 },`;
  return `// pm config, written by \`pm init\` from ${app.source} (${app.framework}). Every key: the @pm/orchestrator README.
// A .mjs file on purpose: TypeScript builds (nest build, tsc) never compile it into your output.
/** @type {import('@pm/orchestrator').PmConfig} */
export default {
  apps: [
    {
      name: '${app.name}',
      script: '${app.script}',
      port: 'auto', // a free port, passed as env PORT
${readiness}
      restart: { policy: 'on-failure' },
      stop: { signal: 'SIGTERM', timeout: 5000 },
      logs: { maxSize: '10M', keep: 5 },
    },
  ],
};
`;
}

/** `pm init [--force]`: reads the project (package.json, start scripts, framework) and writes a pm.config.mjs that runs as is. */
export async function initCommand(ctx: CommandContext): Promise<number> {
  const dir = process.cwd();
  const existing = findConfigFile(dir);
  if (existing && !ctx.values.force) {
    ctx.stderr.write(`${existing} already exists; pass --force to write pm.config.mjs anyway.\n`);
    return 1;
  }
  let app: DetectedApp;
  try {
    app = detectApp(dir);
  } catch (error) {
    ctx.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
  const file = join(dir, 'pm.config.mjs');
  // Temp + rename: an interrupted init never leaves a half-written config behind.
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, configText(app), { flag: 'wx' });
  renameSync(temp, file);
  ctx.stdout.write(`Wrote ${file}: ${app.name} runs ${app.script} (from ${app.source}).\n`);
  for (const note of app.notes) ctx.stdout.write(`Note: ${note}\n`);
  if (!existsSync(join(dir, '.gitignore'))) ctx.stdout.write('Add .pm/ to your .gitignore.\n');
  return 0;
}
