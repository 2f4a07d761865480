import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, httpRequest, makeTempDir, readmeTable, spawnFixture, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import {
  checkDefaults,
  createHealth,
  createShutdown,
  HealthErrorCodes,
  healthDefaults,
  shutdownDefaults,
  underPressureDefaults,
} from '../src/index.js';

// The README is documentation users trust: its defaults, option lists, error codes and first
// example are checked against the code so they cannot drift.
const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

const section = (marker: string): Map<string, string> => readmeTable(readme, marker);

/** How the README writes a default: a JS literal in backticks. */
const literal = (value: unknown): string =>
  `\`${Array.isArray(value) ? `[${value.map((v) => literal(v).slice(1, -1)).join(', ')}]` : typeof value === 'string' ? `'${value}'` : String(value)}\``;

/** Property names of an exported interface in a source file. */
function interfaceKeys(file: string, name: string): string[] {
  const source = readFileSync(join(root, 'src', file), 'utf8');
  const start = source.indexOf(`export interface ${name} `);
  const body = source.slice(start, source.indexOf('\n}', start));
  return [...body.matchAll(/^ {2}(\w+)\?:/gm)].map((m) => m[1]!);
}

describe('README', () => {
  it('createHealth: one row per option, defaults equal healthDefaults', () => {
    const rows = section('options:createHealth');
    const keys = interfaceKeys('health/options.ts', 'HealthOptions');
    expect([...rows.keys()].filter((k) => !k.includes('.')).sort()).toEqual([...keys].sort());
    const { paths, ...flat } = healthDefaults;
    for (const [key, value] of Object.entries(flat)) expect(rows.get(key), key).toBe(literal(value));
    for (const [key, value] of Object.entries(paths)) expect(rows.get(`paths.${key}`), `paths.${key}`).toBe(literal(value));
    expect(interfaceKeys('health/options.ts', 'HealthPaths').sort()).toEqual(Object.keys(paths).sort());
  });

  it('registerHealthMetrics: one row per option, the prefix default as the code has it, every metric it registers', async () => {
    const rows = section('options:metrics');
    const source = readFileSync(join(root, 'src', 'metrics', 'index.ts'), 'utf8');
    const body = source.slice(
      source.indexOf('export interface HealthMetricsOptions '),
      source.indexOf('\n}', source.indexOf('HealthMetricsOptions')),
    );
    expect([...rows.keys()].sort()).toEqual([...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]!).sort());
    const { healthMetricsDefaults, registerHealthMetrics } = await import('@pm/health/metrics');
    expect(rows.get('prefix')).toBe(literal(healthMetricsDefaults.prefix));
    const { Registry } = await import('prom-client');
    const registry = new Registry();
    const health = createHealth({ announceToSupervisor: false });
    registerHealthMetrics({ registry, health, shutdown: createShutdown({ signals: [], exit: () => {} }) });
    const names = registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name);
    expect([...section('metrics').keys()].sort()).toEqual(names.sort());
  });

  it('per-check options: one row each', () => {
    expect([...section('options:check').keys()].sort()).toEqual(interfaceKeys('health/options.ts', 'CheckOptions').sort());
  });

  it('built-in checks: one row per shared option, defaults equal checkDefaults', () => {
    const rows = section('options:builtin-check');
    expect([...rows.keys()].sort()).toEqual(interfaceKeys('checks/define.ts', 'BuiltInCheckOptions').sort());
    for (const [key, value] of Object.entries(checkDefaults)) expect(rows.get(key), key).toBe(literal(value));
    expect(rows.get('readiness')).toBe('`critical`');
  });

  it('underPressure: one row per option, defaults equal underPressureDefaults', () => {
    const rows = section('options:underPressure');
    expect([...rows.keys()].sort()).toEqual(interfaceKeys('pressure/under-pressure.ts', 'UnderPressureOptions').sort());
    for (const [key, value] of Object.entries(underPressureDefaults)) expect(rows.get(key), key).toBe(literal(value));
  });

  it('every built-in check factory is in the checks table', () => {
    for (const name of [
      'postgresCheck',
      'redisCheck',
      'httpCheck',
      'tcpCheck',
      'diskCheck',
      'memoryCheck',
      'eventLoopCheck',
      'pingCheck',
    ]) {
      expect(readme).toMatch(new RegExp(`^\\| \`${name}\\(`, 'm'));
    }
  });

  it('createShutdown: one row per option, defaults equal shutdownDefaults', () => {
    const rows = section('options:createShutdown');
    expect([...rows.keys()].sort()).toEqual(interfaceKeys('shutdown/options.ts', 'ShutdownOptions').sort());
    for (const key of ['signals', 'hookTimeout', 'timeout', 'handleErrors'] as const) {
      expect(rows.get(key), key).toBe(literal(shutdownDefaults[key]));
    }
    expect(rows.get('drainDelay')).toMatch(
      new RegExp(
        `^${literal(shutdownDefaults.drainDelay)}; ${literal(shutdownDefaults.kubernetesDrainDelay)} when env \`KUBERNETES_SERVICE_HOST\``,
      ),
    );
    expect(rows.get('drainTimeout')).toMatch(
      new RegExp(`^${literal(shutdownDefaults.drainTimeout)}, capped at half of \`timeout - drainDelay\``),
    );
    expect(readme).toContain(`default ${shutdownDefaults.timeout / 1000} s`);
  });

  it('per-hook options: one row each, order default equals shutdownDefaults.hookOrder', () => {
    const rows = section('options:hook');
    expect([...rows.keys()].sort()).toEqual(interfaceKeys('shutdown/options.ts', 'HookOptions').sort());
    expect(rows.get('order')).toBe(literal(shutdownDefaults.hookOrder));
  });

  it('lists every error code, and no other', () => {
    const start = readme.indexOf('<!-- errors -->');
    const table = readme.slice(start, readme.indexOf('<!-- /errors -->'));
    const documented = [...table.matchAll(/^\| `(PM_[A-Z_]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.values(HealthErrorCodes).sort());
  });

  it('the shortest example runs: serves /health, exits 0 on SIGTERM', async () => {
    const example = /## Shortest example\s+```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    // A throwaway app folder where `@pm/health` resolves to this package, as after `pnpm add`.
    const dir = makeTempDir();
    mkdirSync(join(dir, 'node_modules', '@pm'), { recursive: true });
    symlinkSync(root, join(dir, 'node_modules', '@pm', 'health'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'app.mjs'), example!);
    const port = await freePort();
    const app = spawnFixture(join(dir, 'app.mjs'), { cwd: dir, env: { PORT: String(port) } });
    const url = `http://127.0.0.1:${port}`;
    const res = await waitFor(
      async () => {
        const r = await httpRequest(`${url}/health`);
        return r.status === 200 ? r : undefined;
      },
      { timeout: 10_000, message: 'the README example to answer /health' },
    );
    expect(res.json).toMatchObject({ status: 'healthy' });
    expect((await httpRequest(`${url}/`)).body).toBe('hello\n');
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
  });
});
