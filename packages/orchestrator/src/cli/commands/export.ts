import { relative, resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { exportConfig, exporters, exportTargets, type ExportTarget } from '../../export/index.js';
import { checkExport, writeExport } from '../../export/write.js';
import type { CommandContext } from '../context.js';
import { findProject } from '../project.js';

const list = (values: unknown): string[] =>
  (Array.isArray(values) ? values : values === undefined ? [] : [values]).flatMap((v: string) => v.split(','));

/**
 * `pm export <target> [-o dir] [--app name...] [--force] [--check] [--image name] [--system]`: writes the
 * target's files, prints one line per setting it cannot express (still exit 0), never overwrites
 * without --force; --check exits 1 when the files on disk differ from what the config gives.
 */
export async function exportCommand(ctx: CommandContext): Promise<number> {
  const target = ctx.positionals[0] as ExportTarget | undefined;
  if (!target || !exportTargets.includes(target) || ctx.positionals.length > 1) {
    ctx.stderr.write(
      `pm export takes one target: ${exportTargets.join(', ')}${target ? ` (got "${ctx.positionals.join(' ')}")` : ''}. See pm export --help.\n`,
    );
    return 2;
  }
  const project = findProject(ctx.values.config as string | undefined);
  const { config } = await loadConfig({ file: project.configFile });
  const options = {
    apps: list(ctx.values.app),
    outDir: ctx.values.output === undefined ? undefined : resolve(ctx.values.output as string),
    image: ctx.values.image as string | undefined,
    system: Boolean(ctx.values.system),
  };
  const result = exportConfig(config, target, options);
  const { outDir } = result;
  const shown = (path: string) => {
    const rel = relative(process.cwd(), resolve(outDir, path));
    return rel.startsWith('..') ? resolve(outDir, path) : rel;
  };
  if (ctx.values.check) {
    const report = checkExport(outDir, result.files);
    for (const f of report.files) if (f.outcome !== 'unchanged') ctx.stdout.write(`${f.outcome}: ${shown(f.path)}\n`);
    ctx.stdout.write(
      report.ok
        ? `${target} export is up to date (${report.files.length} file${report.files.length === 1 ? '' : 's'}).\n`
        : `${target} export is out of date: run pm export ${target}${ctx.values.output ? ` -o ${String(ctx.values.output)}` : ''} --force.\n`,
    );
    return report.ok ? 0 : 1;
  }
  const report = writeExport(outDir, result.files, { force: Boolean(ctx.values.force) });
  if (!report.ok) {
    const refused = report.files.filter((f) => f.outcome === 'exists').map((f) => shown(f.path));
    ctx.stderr.write(
      `Not written: ${refused.join(', ')} already exist${refused.length === 1 ? 's' : ''} with other content. Pass --force to replace, or -o <dir> to write elsewhere.\n`,
    );
    return 1;
  }
  for (const f of report.files) ctx.stdout.write(`${f.outcome}: ${shown(f.path)}\n`);
  for (const line of result.lost) ctx.stdout.write(`not exported: ${line}\n`);
  if (exporters[target].next) ctx.stdout.write(`${exporters[target].next!(outDir)}\n`);
  return 0;
}
