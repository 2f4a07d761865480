import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LockErrorCodes } from '../src/index.js';
import { postgresBackendDefaults } from '../src/postgres/index.js';
import { redisBackendDefaults } from '../src/redis/index.js';

// docs/backends.md stays true to the code: every default in its option tables is the one in the code.
const doc = readFileSync(new URL('../docs/backends.md', import.meta.url), 'utf8');

/** The default cell of the options-table row for `option` in the first table after `heading`. */
function documentedDefault(heading: string, option: string): string {
  const section = doc.slice(doc.indexOf(heading));
  const row = section.split('\n').find((line) => line.startsWith(`| \`${option}\` |`));
  if (!row) throw new Error(`docs/backends.md has no row for ${option} under ${heading}`);
  return row.split('|').at(-2)!.trim();
}

const literal = (value: unknown) => `\`${typeof value === 'string' ? `'${value}'` : JSON.stringify(value)}\``;

describe('docs/backends.md stays true to the code', () => {
  it.each(Object.entries(redisBackendDefaults))('redisBackend default of %s', (option, value) => {
    expect(documentedDefault('### Options of `redisBackend', option)).toBe(literal(value));
  });

  it.each(Object.entries(postgresBackendDefaults))('postgresBackend default of %s', (option, value) => {
    expect(documentedDefault('### Options of `postgresBackend', option)).toBe(literal(value));
  });

  it('documents the required and source options', () => {
    expect(documentedDefault('### Options of `redisBackend', 'client')).toBe('required');
    for (const option of ['pool', 'client', 'connectionString'])
      expect(documentedDefault('### Options of `postgresBackend', option)).toBe('none');
  });

  it('documents every error code a backend can raise', () => {
    for (const code of [
      LockErrorCodes.instanceRunning,
      LockErrorCodes.backendUnavailable,
      LockErrorCodes.compromised,
      LockErrorCodes.invalidOptions,
    ]) {
      expect(doc).toContain(`| \`${code}\` |`);
    }
  });
});
