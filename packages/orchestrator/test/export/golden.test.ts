import { describe, expect, it } from 'vitest';
import { exporters, exportTargets } from '../../src/export/index.js';
import { appKeys } from '../../src/export/mapping.js';
import { asText, cases, exportCase, expectGolden } from './helpers.js';

// Golden files: test/export/golden/<case>.<target>.txt. After an intended change, review the diff of
// `UPDATE_GOLDEN=1 pnpm vitest run packages/orchestrator/test/export/golden.test.ts`.
const implemented = exportTargets.filter((t) => exporters[t] !== undefined);

describe.each(implemented)('pm export %s', (target) => {
  it.each(Object.keys(cases) as (keyof typeof cases)[])('matches the golden file for %s', async (name) => {
    const result = await exportCase(
      name,
      target,
      target === 'compose' || target === 'kubernetes' ? { image: name === 'every-key' ? 'registry.example/stack:1' : undefined } : {},
    );
    expectGolden(`${name}.${target}.txt`, asText(result));
  });

  it('has a mapping row for every config key, each once', () => {
    expect(exporters[target].mapping.map((r) => r.key)).toEqual(appKeys);
  });
});
