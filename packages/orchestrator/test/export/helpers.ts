import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { loadConfig, type ResolvedConfig } from '../../src/index.js';
import { exportConfig, type ExportOptions, type ExportResult, type ExportTarget } from '../../src/export/index.js';

export const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..', '..', '..');
export const devStackDir = join(repoRoot, 'examples', 'dev-stack');
export const everyKeyDir = join(here, '..', 'fixtures', 'export-every-key');

/** The configs the exporters are tested on. */
export const cases = { 'dev-stack': devStackDir, 'every-key': everyKeyDir } as const;

/** Loads a case's config with the dev stack's env defaults (its ports come from env). */
export async function loadCase(name: keyof typeof cases, env: Record<string, string> = {}): Promise<ResolvedConfig> {
  const saved = { ...process.env };
  for (const key of ['API_PORT', 'AGENTS_PORT', 'WEB_PORT', 'PM_HOME', 'PM_DASHBOARD_PORT']) delete process.env[key];
  Object.assign(process.env, env);
  try {
    return (await loadConfig({ dir: cases[name] })).config;
  } finally {
    process.env = saved;
  }
}

/** Options that make an export independent of this machine (node path and major), for golden files. */
export const fixedOptions = (target: ExportTarget): ExportOptions => ({
  nodePath: '/usr/bin/node',
  nodeMajor: 20,
  ...(target === 'systemd' ? { pm: ['/usr/bin/node', join(repoRoot, 'packages/orchestrator/bin/pm.js')] } : {}),
});

/** An export as one text: every file under a `==> path <==` line, then the lost lines. */
export function asText(result: ExportResult): string {
  const files = result.files.map((f) => `==> ${f.path}${f.mode ? ` (mode ${f.mode.toString(8)})` : ''} <==\n${f.content}`);
  return [...files, `==> lost settings <==\n${result.lost.join('\n')}\n`].join('\n').replaceAll(repoRoot, '<repo>');
}

/** Compares `text` with a golden file (UPDATE_GOLDEN=1 rewrites it). */
export function expectGolden(name: string, text: string): void {
  const file = join(here, 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/** Exports a case with machine-independent options. */
export async function exportCase(name: keyof typeof cases, target: ExportTarget, options: ExportOptions = {}): Promise<ExportResult> {
  const config = await loadCase(name);
  return exportConfig(config, target, { ...fixedOptions(target), ...options });
}
