import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import {
  ConfigInvalidError,
  ConfigLoadFailedError,
  ConfigNotFoundError,
  DependencyCycleError,
  configDefaults,
  createOrchestrator,
  defineConfig,
  loadConfig,
  resolveConfig,
  type PmConfig,
} from '../src/index.js';

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('config validation', () => {
  it('reports every problem at once, each with its key path and what was expected', () => {
    const error = thrown(() =>
      resolveConfig({
        apps: [
          {
            name: 'api',
            script: 'a.js',
            port: 'eighty',
            restart: { policy: 'sometimes', backoff: { initial: -1 } },
            ready: { http: 'nope', timeout: 0 },
          },
          { name: 'web', command: [], dependsOn: ['ghost'], stop: { signal: 'SIGFOO' }, logs: { maxSize: 'ten' }, colour: 'blue' },
          { name: 'api', script: 'b.js', command: ['x'] },
        ],
        dashboard: { port: 99999 },
      }),
    ) as ConfigInvalidError;
    expect(error).toBeInstanceOf(ConfigInvalidError);
    expect(error.code).toBe('PM_CONFIG_INVALID');
    const paths = error.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'apps[0].port',
        'apps[0].restart.policy',
        'apps[0].restart.backoff.initial',
        'apps[0].ready.http',
        'apps[0].ready.timeout',
        'apps[1].command',
        'apps[1].dependsOn[0]',
        'apps[1].stop.signal',
        'apps[1].logs.maxSize',
        'apps[1].colour',
        'apps[2].name',
        'apps[2]',
        'dashboard.port',
      ]),
    );
    expect(error.problems.find((p) => p.path === 'apps[0].port')?.message).toBe('expected an integer from 1 to 65535, got "eighty"');
    expect(error.problems.find((p) => p.path === 'apps[0].restart.policy')?.message).toContain("'on-failure', 'always' or 'never'");
    expect(error.message).toContain('apps[1].dependsOn[0]');
  });

  it('refuses args with a string (shell) command, naming the app and the fix', () => {
    const error = thrown(() =>
      resolveConfig({
        apps: [
          { name: 'ok', command: 'node server.js --port 3000' },
          { name: 'empty-args', command: 'node server.js', args: [] },
          { name: 'web', command: 'node server.js', args: ['--title', 'my app'] },
          { name: 'array', command: ['node', 'server.js'], args: ['--title', 'my app'] },
        ],
      }),
    ) as ConfigInvalidError;
    expect(error.code).toBe('PM_CONFIG_INVALID');
    expect(error.problems).toEqual([
      {
        path: 'apps[2].args',
        message: expect.stringContaining('put the arguments in the command string, or make command an array'),
      },
    ]);
    expect(error.message).toContain('apps[2].args: not allowed with a string `command`');
  });

  it('refuses ${PORT} without a port, URLs that cannot be parsed, and delays longer than a timer can wait', () => {
    const error = thrown(() =>
      resolveConfig({
        apps: [
          { name: 'noport', script: 'a.js', ready: { http: 'http://127.0.0.1:${PORT}/health' }, health: { tcp: '${PORT}' } },
          { name: 'withport', script: 'a.js', port: 'auto', ready: { http: 'http://127.0.0.1:${PORT}/health' } },
          { name: 'badurl', script: 'a.js', ready: { http: 'http://[oops/' } },
          { name: 'huge', script: 'a.js', ready: { timeout: 3_000_000_000 }, stop: { timeout: 2_147_483_647 } },
        ],
      }),
    ) as ConfigInvalidError;
    expect(error.problems).toEqual([
      {
        path: 'apps[0].ready.http',
        message: expect.stringContaining("uses ${PORT} but the app has no port: set port (a number, or 'auto'"),
      },
      { path: 'apps[0].health.tcp', message: expect.stringContaining('uses ${PORT} but the app has no port') },
      { path: 'apps[2].ready.http', message: 'expected an http:// or https:// URL, got "http://[oops/"' },
      {
        path: 'apps[3].ready.timeout',
        message: expect.stringContaining('to 2147483647 (about 24.8 days, the longest a timer can wait), got 3000000000'),
      },
    ]);
  });

  it('createOrchestrator validates a raw config even when it carries a stray `baseDir` key', () => {
    const raw = { apps: [{ name: 'web', script: 'w.js', restart: { policy: 'sometimes' } }], baseDir: '/srv' };
    const error = thrown(() => createOrchestrator(raw as unknown as PmConfig)) as ConfigInvalidError;
    expect(error.code).toBe('PM_CONFIG_INVALID');
    expect(error.problems.map((p) => p.path)).toEqual(['(config).baseDir', 'apps[0].restart.policy']);
    // A config resolveConfig produced is taken as it is (validated once).
    const resolved = resolveConfig({ apps: [{ name: 'web', script: 'w.js' }] }, { baseDir: '/srv' });
    expect(createOrchestrator(resolved).config).toBe(resolved);
  });

  it('rejects a config that is not an object, or has no apps', () => {
    expect((thrown(() => resolveConfig(null)) as ConfigInvalidError).problems[0]?.path).toBe('(config)');
    expect((thrown(() => resolveConfig({ apps: [] })) as ConfigInvalidError).problems[0]?.path).toBe('apps');
  });

  it('accepts at most one readiness kind', () => {
    const error = thrown(() =>
      resolveConfig({ apps: [{ name: 'a', script: 'a.js', ready: { http: 'http://x/', tcp: 80 } }] }),
    ) as ConfigInvalidError;
    expect(error.problems.map((p) => p.path)).toEqual(['apps[0].ready']);
  });

  it('ready without a kind tunes the @pm/health announcement; announce only without a kind, and below the timeout', () => {
    const { apps } = resolveConfig({
      apps: [
        { name: 'a', script: 'a.js', ready: { timeout: 5000, announce: 800 } },
        { name: 'b', script: 'b.js' },
      ],
    });
    expect(apps.map((a) => a.ready)).toEqual([
      { kind: 'none', timeout: 5000, interval: 100, announce: 800 },
      { kind: 'none', timeout: 30_000, interval: 100, announce: configDefaults.app.ready.announce },
    ]);
    const error = thrown(() =>
      resolveConfig({
        apps: [
          { name: 'a', script: 'a.js', ready: { log: 'up', announce: 100 } },
          { name: 'b', script: 'b.js', ready: { timeout: 1000, announce: 1000 } },
          { name: 'c', script: 'c.js', ready: { announce: -1 } },
        ],
      }),
    ) as ConfigInvalidError;
    expect(error.problems.map((p) => p.path)).toEqual(['apps[0].ready.announce', 'apps[1].ready.announce', 'apps[2].ready.announce']);
  });

  it('names a dependency cycle', () => {
    const error = thrown(() =>
      resolveConfig({
        apps: [
          { name: 'web', script: 'w.js', dependsOn: ['api'] },
          { name: 'api', script: 'a.js', dependsOn: ['db'] },
          { name: 'db', script: 'd.js', dependsOn: ['web'] },
        ],
      }),
    ) as DependencyCycleError;
    expect(error).toBeInstanceOf(DependencyCycleError);
    expect(error.code).toBe('PM_DEPENDENCY_CYCLE');
    expect(error.cycle).toEqual(['web', 'api', 'db', 'web']);
    expect(error.message).toContain('web -> api -> db -> web');
  });

  it('fills every default from configDefaults and orders apps by dependency', () => {
    const config = resolveConfig(
      defineConfig({
        apps: [
          { name: 'web', script: 'w.js', dependsOn: ['api'] },
          { name: 'api', command: ['python3', '-m', 'http.server'] },
        ],
      }),
      { baseDir: '/srv/p' },
    );
    expect(config.apps.map((a) => a.name)).toEqual(['api', 'web']);
    const web = config.apps[1]!;
    expect(web.script).toBe('/srv/p/w.js');
    expect(web.cwd).toBe('/srv/p');
    expect(web.restart).toEqual(configDefaults.app.restart);
    expect(web.stop).toEqual(configDefaults.app.stop);
    expect(web.ready).toEqual({ kind: 'none', ...configDefaults.app.ready });
    expect(web.logs).toEqual({ maxSize: 10 * 1024 * 1024, keep: configDefaults.app.logs.keep });
    expect(web.health).toBeNull();
    expect(config.dashboard).toEqual(configDefaults.dashboard);
  });
});

describe('loadConfig', () => {
  it('loads pm.config.ts through jiti', async () => {
    const dir = makeTempDir();
    writeFileSync(
      join(dir, 'pm.config.ts'),
      `interface App { name: string; script: string }\nconst api: App = { name: 'api', script: 'server.js' };\nexport default { apps: [api], dashboard: false as const };\n`,
    );
    const { config, file, warnings } = await loadConfig({ dir });
    expect(file).toBe(join(dir, 'pm.config.ts'));
    expect(config.apps[0]?.script).toBe(join(dir, 'server.js'));
    expect(config.dashboard).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('loads .mjs and .json configs, and prefers pm.config.ts', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'pm.config.json'), JSON.stringify({ apps: [{ name: 'json', script: 'a.js' }] }));
    expect((await loadConfig({ dir })).config.apps[0]?.name).toBe('json');
    writeFileSync(join(dir, 'pm.config.mjs'), `export default { apps: [{ name: 'mjs', script: 'a.js' }] };`);
    expect((await loadConfig({ dir })).config.apps[0]?.name).toBe('mjs');
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ apps: [{ name: 'other', command: 'echo hi' }] }));
    expect((await loadConfig({ dir, file: 'other.json' })).config.apps[0]?.command).toBe('echo hi');
  });

  it('reports a missing config with PM_CONFIG_NOT_FOUND and a broken one with PM_CONFIG_LOAD_FAILED', async () => {
    const dir = makeTempDir();
    await expect(loadConfig({ dir })).rejects.toMatchObject({ code: 'PM_CONFIG_NOT_FOUND' });
    await expect(loadConfig({ dir })).rejects.toBeInstanceOf(ConfigNotFoundError);
    writeFileSync(join(dir, 'pm.config.mjs'), 'export default {{{');
    const error = await loadConfig({ dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigLoadFailedError);
    expect((error as ConfigLoadFailedError).cause).toBeDefined();
  });

  it('names the file in validation errors', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'pm.config.json'), JSON.stringify({ apps: [{ name: 'x' }] }));
    const error = (await loadConfig({ dir }).catch((e: unknown) => e)) as ConfigInvalidError;
    expect(error.code).toBe('PM_CONFIG_INVALID');
    expect(error.file).toBe(join(dir, 'pm.config.json'));
  });

  it('loads a PM2 ecosystem.config.js, mapping common fields and warning about each ignored one', async () => {
    const dir = makeTempDir();
    writeFileSync(
      join(dir, 'ecosystem.config.js'),
      `module.exports = { apps: [
        { name: 'api', script: './dist/main.js', args: '--port 8000 "a b"', cwd: './api', env: { NODE_ENV: 'development', N: 3 },
          autorestart: true, max_restarts: 7, min_uptime: '2s', exp_backoff_restart_delay: 100, kill_timeout: 3000,
          instances: 2, exec_mode: 'cluster', watch: true },
        { name: 'web', script: 'npm', args: 'run dev', autorestart: false, restart_delay: 500, max_memory_restart: '300M' },
      ], deploy: {} };`,
    );
    const { config, warnings } = await loadConfig({ dir });
    const [api, web] = config.apps;
    expect(api?.script).toBe(join(dir, 'api', 'dist', 'main.js'));
    expect(api?.args).toEqual(['--port', '8000', 'a b']);
    expect(api?.env).toEqual({ NODE_ENV: 'development', N: '3' });
    expect(api?.restart).toMatchObject({ policy: 'always', maxRestarts: 7, minUptime: 2000, backoff: { initial: 100, max: 15000 } });
    expect(api?.stop.timeout).toBe(3000);
    expect(web?.command).toEqual(['npm']);
    expect(web?.args).toEqual(['run', 'dev']);
    expect(web?.restart).toMatchObject({ policy: 'never', backoff: { initial: 500, max: 500 } });
    expect(web?.maxMemory).toBe(300 * 1024 * 1024);
    expect(warnings).toEqual([
      'PM2 field "instances" of app "api" is ignored: pm has no equivalent',
      'PM2 field "exec_mode" of app "api" is ignored: pm has no equivalent',
      'PM2 field "watch" of app "api" is ignored: pm has no equivalent',
      'PM2 section "deploy" is ignored: pm has no equivalent',
    ]);
  });
});
