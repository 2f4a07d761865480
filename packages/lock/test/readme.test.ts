import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileBackendDefaults, LockErrorCodes, lockDefaults } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The default cell of the options-table row for `option` (first table that has it after `heading`). */
function documentedDefault(heading: string, option: string): string {
  const section = readme.slice(readme.indexOf(heading));
  const row = section.split('\n').find((line) => line.startsWith(`| \`${option}\` |`));
  if (!row) throw new Error(`README has no row for ${option} under ${heading}`);
  return row.split('|').at(-2)!.trim();
}

const literal = (value: unknown) => `\`${typeof value === 'string' ? `'${value}'` : JSON.stringify(value)}\``;

describe('README stays true to the code', () => {
  it.each(Object.entries(lockDefaults))('acquireInstanceLock default of %s', (option, value) => {
    expect(documentedDefault('## Options of `acquireInstanceLock', option)).toBe(literal(value));
  });

  it.each(['checkInterval', 'junkGraceMs'] as const)('fileBackend default of %s', (option) => {
    expect(documentedDefault('### `fileBackend', option)).toBe(literal(fileBackendDefaults[option]));
  });

  it('documents every error code', () => {
    for (const code of Object.values(LockErrorCodes)) expect(readme).toContain(`| \`${code}\` |`);
  });
});
