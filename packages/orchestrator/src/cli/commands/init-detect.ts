// Reads a project (package.json, its start scripts, its framework) to guess the app `pm init` should run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What `pm init` found out about the project in a folder. */
export interface DetectedApp {
  /** App name from package.json `name` (scope dropped), or the folder's own name pattern `app`. */
  name: string;
  /** The Node entry to run, relative to the project folder. */
  script: string;
  /** Where the entry came from, said back to the user (e.g. `the "start" script`). */
  source: string;
  /** The framework recognised from the dependencies. */
  framework: 'nest' | 'express' | 'node';
  /** True when the app uses @pm/health (directly or through an adapter): it announces readiness over IPC by itself. */
  usesPmHealth: boolean;
  /** Things the user should know before `pm run` (a build step, a missing entry). */
  notes: string[];
}

interface PackageJson {
  name?: string;
  main?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const pmHealthUsers = ['@pm/health', '@pm/adapter-express', '@pm/adapter-nest'];
const conventionalEntries = ['bin/www', 'server.js', 'index.js', 'app.js', 'main.js', 'src/index.js', 'src/server.js'];

/** The file a `node [flags] <file> [args]` script runs, or undefined for any other command. */
export function nodeScriptEntry(command: string | undefined): string | undefined {
  const words = command?.trim().split(/\s+/) ?? [];
  if (words[0] !== 'node') return undefined;
  return words.slice(1).find((word) => !word.startsWith('-'));
}

function readPackageJson(dir: string): PackageJson {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}): fix it, then run pm init again.`, { cause: error });
  }
}

/**
 * Guesses the app to run: for NestJS the `start:prod` entry (the `nest build` output, `dist/main.js`);
 * otherwise a `node <file>` start script, then package.json `main`, then a conventional entry file.
 * @throws Error naming every place looked at when no entry is found
 */
export function detectApp(dir: string): DetectedApp {
  const pkg = readPackageJson(dir);
  const deps = { ...pkg.devDependencies, ...pkg.dependencies };
  const framework = '@nestjs/core' in deps ? 'nest' : 'express' in deps ? 'express' : 'node';
  const name = (pkg.name ?? 'app').replace(/^@[^/]+\//, '').replace(/[^A-Za-z0-9._-]/g, '-');
  const notes: string[] = [];
  const candidates: [string | undefined, string][] =
    framework === 'nest'
      ? [[nodeScriptEntry(pkg.scripts?.['start:prod']) ?? 'dist/main', 'the "start:prod" script (the nest build output)']]
      : [
          [nodeScriptEntry(pkg.scripts?.start), 'the "start" script'],
          [pkg.main, 'package.json "main"'],
          ...conventionalEntries.map((file): [string, string] => [file, `the conventional entry ${file}`]),
        ];
  const found = candidates.find(([file]) => file && (framework === 'nest' || file === pkg.main || existsSync(join(dir, file))));
  if (!found?.[0]) {
    const looked = ['a "start" script of the form `node <file>`', 'package.json "main"', ...conventionalEntries].join(', ');
    throw new Error(
      `pm init found no entry to run in ${dir} (looked at ${looked}). Add "main" to package.json, or write pm.config.mjs by hand.`,
    );
  }
  let script = found[0].replace(/^\.\//, '');
  if (framework === 'nest' && !/\.[cm]?js$/.test(script)) script += '.js';
  if (!existsSync(join(dir, script))) {
    const build = pkg.scripts?.build ? 'npm run build' : 'your build';
    notes.push(`${script} does not exist yet: run ${build} before pm run.`);
  }
  return { name, script, source: found[1], framework, usesPmHealth: pmHealthUsers.some((dep) => dep in deps), notes };
}
