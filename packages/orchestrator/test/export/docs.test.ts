import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exporters, exportTargets } from '../../src/export/index.js';
import { withMappingTable } from '../../src/export/mapping-docs.js';
import { repoRoot } from './helpers.js';

// Each guide's mapping table is generated from the exporter's own table. After changing a mapping,
// regenerate with `UPDATE_DOCS=1 pnpm vitest run packages/orchestrator/test/export/docs.test.ts`.
describe.each(exportTargets)('docs/guides/export-%s.md', (target) => {
  const file = join(repoRoot, 'docs', 'guides', `export-${target}.md`);

  it('carries the mapping table the exporter uses', () => {
    const text = readFileSync(file, 'utf8');
    const generated = withMappingTable(text, target);
    if (process.env.UPDATE_DOCS === '1' && generated !== text) writeFileSync(file, generated);
    expect(text).toBe(generated);
  });

  it('names the command, the files and the default folder as the code has them', () => {
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`pm export ${target}`);
    const dir = exporters[target].defaultDir;
    expect(text).toContain(dir === '.' ? 'the config’s folder' : `\`${dir}/\``);
  });
});
