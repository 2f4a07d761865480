import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../daemon/atomic-write.js';
import type { ExportFile } from './types.js';

/** What happened to one file. */
export type FileOutcome = 'written' | 'unchanged' | 'exists' | 'differs' | 'missing';

/** Outcome of {@link writeExport} or {@link checkExport}, per file. */
export interface WriteReport {
  files: { path: string; outcome: FileOutcome }[];
  /** True when nothing was refused (write) or nothing differs (check). */
  ok: boolean;
}

const read = (file: string): string | null => (existsSync(file) ? readFileSync(file, 'utf8') : null);

/**
 * Writes `files` under `outDir`, each atomically (temp file + rename). A file that exists with other
 * content is refused unless `force`; when any is refused, none is written, so a run never leaves a
 * half-updated set.
 */
export function writeExport(outDir: string, files: readonly ExportFile[], options: { force?: boolean } = {}): WriteReport {
  const plan = files.map((f) => {
    const current = read(join(outDir, f.path));
    const outcome: FileOutcome = current === f.content ? 'unchanged' : current !== null && !options.force ? 'exists' : 'written';
    return { file: f, outcome };
  });
  const ok = plan.every((p) => p.outcome !== 'exists');
  if (ok) {
    for (const { file, outcome } of plan) {
      if (outcome !== 'written') continue;
      const target = join(outDir, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileAtomic(target, file.content, { mode: file.mode ?? 0o644 });
    }
  }
  return { ok, files: plan.map((p) => ({ path: p.file.path, outcome: p.outcome })) };
}

/** Compares `files` with what is on disk under `outDir` (for `pm export --check` in CI). */
export function checkExport(outDir: string, files: readonly ExportFile[]): WriteReport {
  const results = files.map((f) => {
    const current = read(join(outDir, f.path));
    const outcome: FileOutcome = current === null ? 'missing' : current === f.content ? 'unchanged' : 'differs';
    return { path: f.path, outcome };
  });
  return { ok: results.every((r) => r.outcome === 'unchanged'), files: results };
}
