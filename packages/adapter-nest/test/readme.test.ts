import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import { NestErrorCodes, pmModuleDefaults, serveDefaults } from '@pm/adapter-nest';
import { readmeTable } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';

// The README's option lists, defaults and error codes are checked against the code so they cannot drift.
// (Its TypeScript example is the one examples/nest-app runs, and that app has its own smoke test.)
const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

const table = (marker: string): Map<string, string> => readmeTable(readme, marker);

function interfaceKeys(file: string, name: string): string[] {
  const source = readFileSync(join(root, 'src', file), 'utf8');
  const start = source.indexOf(`export interface ${name} `);
  return [...source.slice(start, source.indexOf('\n}', start)).matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]!);
}

describe('README', () => {
  it('forRoot: one row per option, defaults equal pmModuleDefaults', () => {
    const rows = table('options:forRoot');
    expect([...rows.keys()].sort()).toEqual(
      [...interfaceKeys('options.ts', 'PmModuleOptions'), ...interfaceKeys('options.ts', 'PmModuleRootOptions')].sort(),
    );
    expect(rows.get('ready')).toBe(`\`'${pmModuleDefaults.ready}'\``);
    const paths = Object.entries(pmModuleDefaults.paths)
      .map(([k, v]) => `${k}: '${v}'`)
      .join(', ');
    expect(rows.get('paths')).toBe(`\`{ ${paths} }\``);
  });

  it('serve: one row per option, defaults equal serveDefaults', () => {
    const rows = table('options:serve');
    expect([...rows.keys()].sort()).toEqual(interfaceKeys('serve.ts', 'ServeOptions').sort());
    expect(rows.get('port')).toBe(`\`${serveDefaults.port}\``);
  });

  it('lists every error code, and no other', () => {
    expect([...table('errors').keys()].sort()).toEqual(Object.values(NestErrorCodes).sort());
  });
});
