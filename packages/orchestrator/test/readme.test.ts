import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDefaults, orchestratorDefaults } from '../src/index.js';
import { configKeys } from '../src/config/validate.js';
import { withConfigReference } from '../src/config/reference.js';
import { verbHelp } from '../src/cli/help.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** `| \`key\` | type | default | meaning |` rows of the config reference. */
const rows = new Map([...readme.matchAll(/^\| `([^`]+)` \| [^|]+ \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

const shown = (v: unknown) => `\`${typeof v === 'string' ? `'${v}'` : JSON.stringify(v)}\``;

describe('README config reference', () => {
  it('is the table generated from the schema (run `pnpm --filter @pm/orchestrator docs:config` after changing it)', () => {
    expect(readme).toBe(withConfigReference(readme));
  });

  it('lists every key the schema accepts', () => {
    const expected = [
      ...configKeys.top,
      ...configKeys.dashboard.map((k) => `dashboard.${k}`),
      ...configKeys.metrics.map((k) => `dashboard.metrics.${k}`),
      ...configKeys.app.map((k) => `apps[].${k}`),
      ...configKeys.ready.map((k) => `apps[].ready.${k}`),
      ...configKeys.restart.map((k) => `apps[].restart.${k}`),
      ...configKeys.backoff.map((k) => `apps[].restart.backoff.${k}`),
      ...configKeys.stop.map((k) => `apps[].stop.${k}`),
      ...configKeys.health.map((k) => `apps[].health.${k}`),
      ...configKeys.logs.map((k) => `apps[].logs.${k}`),
    ];
    const missing = expected.filter((k) => !rows.has(k));
    expect(missing).toEqual([]);
  });

  it('states every default as the code has it', () => {
    const defaults = flatten(configDefaults.app, '', new Map());
    for (const [path, value] of defaults) {
      expect(rows.get(`apps[].${path}`), `apps[].${path}`).toBe(shown(value));
    }
    expect(rows.get('dashboard.port')).toBe(shown(configDefaults.dashboard.port));
    expect(rows.get('dashboard.metrics.token')).toBe(shown(configDefaults.dashboard.metrics.token));
    expect(readme).toContain(`| \`logPollInterval\` | \`${orchestratorDefaults.logPollInterval}\` |`);
    expect(readme).toContain(`| \`output\` | \`${orchestratorDefaults.output}\` |`);
  });

  it('documents every CLI verb', () => {
    for (const verb of Object.keys(verbHelp)) expect(readme).toContain(`\`pm ${verb}`);
  });
});
