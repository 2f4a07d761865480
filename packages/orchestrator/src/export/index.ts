import { basename, resolve } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import { AppNotFoundError } from '../errors.js';
import { relPath } from './app-view.js';
import { lostSettings } from './mapping.js';
import { pmBinPath } from './pm-bin.js';
import { exporters } from './registry.js';
import type { ExportContext, ExportOptions, ExportResult, ExportTarget } from './types.js';

export { exporters };
export * from './types.js';

/** A name usable as a unit, session and label prefix: the config folder's name, with other characters as `-`. */
export function projectName(config: ResolvedConfig): string {
  return basename(config.baseDir).replace(/[^A-Za-z0-9_.-]+/g, '-') || 'pm';
}

/** Builds what an exporter needs from a resolved config and options (filling every default). */
export function exportContext(config: ResolvedConfig, target: ExportTarget, options: ExportOptions = {}): ExportContext {
  const known = config.apps.map((a) => a.name);
  for (const name of options.apps ?? []) if (!known.includes(name)) throw new AppNotFoundError(name, known);
  const apps = options.apps && options.apps.length > 0 ? config.apps.filter((a) => options.apps!.includes(a.name)) : config.apps;
  const nodePath = options.nodePath ?? process.execPath;
  const nodeMajor = options.nodeMajor ?? Number(process.versions.node.split('.')[0]);
  const outDir = resolve(config.baseDir, options.outDir ?? exporters[target].defaultDir);
  return {
    config,
    apps,
    outDir,
    configName: config.file ? basename(config.file) : 'the pm config',
    project: projectName(config),
    image: options.image ?? null,
    system: options.system ?? false,
    nodePath,
    nodeMajor,
    pm: options.pm ?? defaultPm(target, nodePath, outDir),
  };
}

/**
 * How the output runs `pm`: systemd wants absolute paths; tmux and Procfile lines run from the
 * output folder, so this package's bin relative to it (npx would add seconds to every wait);
 * containers and PM2 find it with npx.
 */
function defaultPm(target: ExportTarget, nodePath: string, outDir: string): string[] {
  if (target === 'systemd') return [nodePath, pmBinPath()];
  if (target === 'tmux' || target === 'procfile') return ['node', relPath(outDir, pmBinPath())];
  return ['npx', '--no-install', 'pm'];
}

/**
 * Translates a resolved config into the files of `target`, and lists (one line each) the settings
 * the target cannot express. Pure: writes nothing (see `writeExport`).
 */
export function exportConfig(config: ResolvedConfig, target: ExportTarget, options: ExportOptions = {}): ExportResult {
  const exporter = exporters[target];
  const ctx = exportContext(config, target, options);
  const files = exporter.render(ctx);
  const lost = ctx.apps.flatMap((app) => lostSettings(target, exporter.mapping, app, ctx));
  return { files, lost, outDir: ctx.outDir };
}
