// A fresh project outside the repo that installs the packed tarballs the way a user would.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A package manager a user might install with. */
export type Installer = 'npm' | 'pnpm' | 'yarn';

/** The tarball of each published package, by package name. */
export type Tarballs = Record<string, string>;

/** Runs a command in `cwd`; on failure the error carries the command's whole output. */
export async function run(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      cwd,
      env: { ...process.env, ...env, npm_config_user_agent: undefined, NODE_OPTIONS: undefined },
      maxBuffer: 16 * 1024 * 1024,
    });
    return `${stdout}\n${stderr}`;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`\`${command} ${args.join(' ')}\` failed in ${cwd}:\n${stdout}\n${stderr}`);
  }
}

/** Peer-dependency complaints each installer prints (a clean install prints none). */
export const peerWarning: Record<Installer, RegExp> = {
  npm: /ERESOLVE|peer dep/i,
  pnpm: /peer dependencies/i,
  yarn: /unmet peer dependency|incorrect peer dependency/i,
};

/**
 * Creates a project in the OS temp folder (outside the repo) whose dependencies are the tarballs plus
 * `extra` registry packages. The tarballs' own `^x.y.z` ranges on each other are pinned to the tarballs
 * with each installer's override field, as the registry would satisfy them once published.
 */
export function createProject(label: string, tarballs: Tarballs, extra: Record<string, string>, files?: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pm-consumer-${label}-`));
  if (files) cpSync(files, dir, { recursive: true });
  const fromTarballs = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
  const manifest = {
    name: `pm-consumer-${label}`,
    version: '1.0.0',
    private: true,
    dependencies: { ...fromTarballs, ...extra },
    overrides: fromTarballs,
    pnpm: { overrides: fromTarballs },
    resolutions: fromTarballs,
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/** Installs the project's dependencies from the registry (and the local tarballs); returns the installer's output. */
export function install(dir: string, installer: Installer): Promise<string> {
  switch (installer) {
    case 'npm':
      return run(dir, 'npm', ['install', '--no-audit', '--no-fund']);
    case 'pnpm':
      // Outside any workspace; a project-local store path keeps the test from touching the user's.
      return run(dir, 'pnpm', ['install', '--ignore-workspace', '--config.strict-peer-dependencies=false']);
    case 'yarn':
      // Yarn classic from the npm registry (the yarnpkg registry mirror may be unreachable).
      return run(dir, 'npx', ['--yes', 'yarn@1.22.22', 'install', '--non-interactive', '--registry', 'https://registry.npmjs.org']);
  }
}

/**
 * Copies an example out of the repo as a user would (`cp -r examples/x ~/x`, without node_modules and tests),
 * and points it at the tarballs (see {@link pointAtTarballs}).
 */
export function copyTemplate(exampleDir: string, label: string, tarballs: Tarballs): string {
  const dir = mkdtempSync(join(tmpdir(), `pm-template-${label}-`));
  cpSync(exampleDir, dir, { recursive: true, filter: (source) => !/[\\/](node_modules|test|dist|data)$/.test(source) });
  pointAtTarballs(dir, tarballs);
  return dir;
}

/**
 * Points a user project's own `@pm/*` ranges at the tarballs, as they would resolve on the registry once
 * published; first refuses any `workspace:` range a user would have to fix.
 */
export function pointAtTarballs(dir: string, tarballs: Tarballs): void {
  const manifestPath = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { dependencies?: Record<string, string> };
  const left = JSON.stringify(manifest).match(/"[^"]*": ?"workspace:[^"]*"/g);
  if (left) throw new Error(`${manifestPath} keeps workspace: ranges a user would have to fix: ${left.join(', ')}`);
  const fromTarballs = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
  for (const name of Object.keys(manifest.dependencies ?? {})) if (fromTarballs[name]) manifest.dependencies![name] = fromTarballs[name]!;
  writeFileSync(manifestPath, `${JSON.stringify({ ...manifest, overrides: fromTarballs }, null, 2)}\n`);
}
/** The tarball of each package, by name, from the list the global setup packed. */
export function tarballsOf(packed: { name: string; file: string }[]): Tarballs {
  return Object.fromEntries(packed.map(({ name, file }) => [name, file]));
}
