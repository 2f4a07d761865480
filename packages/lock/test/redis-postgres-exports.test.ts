import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as lock from '@pm/lock';
import * as postgres from '@pm/lock/postgres';
import * as redis from '@pm/lock/redis';

// The built subpaths, as users load them.
const cwd = new URL('..', import.meta.url);
const run = (args: string[]) => {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as unknown;
};

describe('public surface of @pm/lock/redis and @pm/lock/postgres (built entries)', () => {
  it('export exactly these runtime names', () => {
    expect(Object.keys(redis).sort()).toEqual(['redisBackend', 'redisBackendDefaults']);
    expect(Object.keys(postgres).sort()).toEqual(['lockKeyOf', 'postgresBackend', 'postgresBackendDefaults']);
  });

  it("throw the main entry's error classes (one shared chunk, not a copy per entry)", () => {
    expect(() => redis.redisBackend({} as never)).toThrow(lock.InvalidLockOptionsError);
    expect(() => postgres.postgresBackend({} as never)).toThrow(lock.InvalidLockOptionsError);
    const cjs = run([
      '-e',
      `
      const { InvalidLockOptionsError } = require('@pm/lock');
      const same = (fn) => { try { fn(); } catch (e) { return e instanceof InvalidLockOptionsError; } };
      console.log(JSON.stringify([same(() => require('@pm/lock/redis').redisBackend({})), same(() => require('@pm/lock/postgres').postgresBackend({}))]));`,
    ]);
    expect(cjs).toEqual([true, true]);
  });

  it('load no client library, and start no timer or listener, when imported (ESM and CommonJS)', () => {
    const cjs = run([
      '-e',
      `
      require('@pm/lock'); require('@pm/lock/redis'); require('@pm/lock/postgres');
      const loaded = Object.keys(require.cache).filter((p) => /node_modules[\\\\/](ioredis|redis|@redis|pg|pg-pool)[\\\\/]/.test(p));
      const handles = process.getActiveResourcesInfo().filter((r) => /Timeout|Immediate|Server|Signal/.test(r));
      console.log(JSON.stringify({ loaded, handles, exit: process.listenerCount('exit') }));`,
    ]);
    expect(cjs).toEqual({ loaded: [], handles: [], exit: 0 });
    const esm = run([
      '--input-type=module',
      '-e',
      `
      const before = process.listenerCount('exit');
      await import('@pm/lock'); await import('@pm/lock/redis'); await import('@pm/lock/postgres');
      const handles = process.getActiveResourcesInfo().filter((r) => /Timeout|Immediate|Server|Signal/.test(r));
      console.log(JSON.stringify({ handles, exit: process.listenerCount('exit') - before }));`,
    ]);
    expect(esm).toEqual({ handles: [], exit: 0 });
  });
});
