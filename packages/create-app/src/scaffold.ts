import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { templates, type TemplateInfo } from './templates.js';

/** Options of {@link scaffold}. */
export interface ScaffoldOptions {
  /** Folder to create (must not exist, or be empty); its last segment names the app. */
  dir: string;
  /** Template name. @default 'express-cjs' */
  template?: string;
  /** Port the app listens on by default (env PORT still wins). @default 3000 */
  port?: number;
  /** Folder holding the templates. @default the package's own templates/ */
  templatesDir?: string;
}

/** What {@link scaffold} wrote. */
export interface Scaffolded {
  /** Absolute folder of the new app. */
  dir: string;
  /** The app's name (package.json name, lock name, pm app name). */
  name: string;
  /** The template used. */
  template: TemplateInfo;
}

/** Thrown for a wrong app name, template, port or target folder; the message says what to do. */
export class ScaffoldError extends Error {
  override name = 'ScaffoldError';
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function ownVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

function checkInputs(dir: string, name: string, template: string, port: number): TemplateInfo {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name) || name.length > 214) {
    throw new ScaffoldError(`"${name}" cannot name an npm package: use lowercase letters, digits, ".", "_" and "-" (e.g. my-app).`);
  }
  const info = templates.find((t) => t.name === template);
  if (!info) throw new ScaffoldError(`No template "${template}". Choose one of: ${templates.map((t) => t.name).join(', ')}.`);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ScaffoldError(`--port must be a whole number from 1 to 65535, not ${port}.`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new ScaffoldError(`${dir} exists and is not empty: pick a new folder name.`);
  return info;
}

/**
 * Writes a template into a new folder with the app's name and port filled in, plus a `pm.config.mjs`
 * that runs it under `pm`. The copy is made in a sibling temp folder and renamed into place, so an
 * interrupted run leaves no half-written app.
 * @throws ScaffoldError naming the wrong input and the fix
 */
export function scaffold(options: ScaffoldOptions): Scaffolded {
  const dir = resolve(options.dir);
  const name = basename(dir);
  const port = options.port ?? 3000;
  const template = checkInputs(dir, name, options.template ?? templates[0]!.name, port);
  const source = join(options.templatesDir ?? join(packageRoot, 'templates'), template.name);
  if (!existsSync(source)) throw new ScaffoldError(`The ${template.name} template is missing from ${source}: reinstall @pm/create-app.`);

  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  try {
    cpSync(source, staging, { recursive: true });
    const manifestPath = join(staging, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown> & { dependencies?: Record<string, string> };
    const range = `^${ownVersion()}`; // the @pm packages are released together
    for (const dep of Object.keys(manifest.dependencies ?? {})) if (dep.startsWith('@pm/')) manifest.dependencies![dep] = range;
    delete manifest.private;
    writeFileSync(manifestPath, `${JSON.stringify({ ...manifest, name, version: '0.1.0' }, null, 2)}\n`);
    for (const file of template.portFiles) {
      const path = join(staging, file);
      writeFileSync(
        path,
        readFileSync(path, 'utf8')
          .replaceAll(template.appNameToken, name)
          .replace(/\|\| 3000\)/g, `|| ${port})`),
      );
    }
    writeFileSync(join(staging, 'pm.config.mjs'), pmConfig(name, port));
    writeFileSync(join(staging, '.gitignore'), 'node_modules/\ndata/\n.pm/\n');
    if (existsSync(dir)) rmSync(dir, { recursive: true });
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return { dir, name, template };
}

function pmConfig(name: string, port: number): string {
  return `// Runs the app under the pm supervisor: npx pm run (foreground) or npx pm start (background).
/** @type {import('@pm/orchestrator').PmConfig} */
export default {
  apps: [
    {
      name: '${name}',
      script: 'bin/www',
      port: ${port},
      health: { http: 'http://localhost:${port}/livez', interval: 5000, failures: 3 },
    },
  ],
};
`;
}
