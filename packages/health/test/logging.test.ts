import { httpRequest } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { createShutdown, type Logger } from '../src/index.js';
import { startApp } from './helpers.js';

describe('logging', () => {
  it('is silent by default and writes JSON lines to stderr with PROCESS_MANAGER_DEBUG=true', async () => {
    const quiet = await startApp({ hooks: [{ name: 'h', behaviour: 'throw' }] });
    quiet.app.kill('SIGTERM');
    expect((await quiet.app.exited).code).toBe(1);
    expect(quiet.app.stderr).toEqual([]);

    const loud = await startApp({ hooks: [{ name: 'h', behaviour: 'throw' }] }, { PROCESS_MANAGER_DEBUG: 'true' });
    loud.app.kill('SIGTERM');
    expect((await loud.app.exited).code).toBe(1);
    const lines = loud.app.stderr.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.name === '@pm/health')).toBe(true);
    expect(lines.map((l) => l.msg)).toContain('shutdown started');
    expect(lines.find((l) => l.msg === 'shutdown hook failed; continuing')).toMatchObject({
      level: 'error',
      hook: 'h',
      code: 'PM_SHUTDOWN_HOOK_FAILED',
    });
    expect(lines.at(-1)).toMatchObject({ msg: 'shutdown complete', exitCode: 1 });
  });

  it('sends to an injected pino-compatible logger', async () => {
    const entries: Array<[string, unknown, unknown]> = [];
    const record = (level: string) => (obj: unknown, msg?: unknown) => entries.push([level, obj, msg]);
    const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
    const shutdown = createShutdown({
      signals: [],
      logger,
      hookTimeout: 50,
      hooks: [{ name: 'slow', fn: () => new Promise(() => {}) }],
      exit: () => {},
    });
    await shutdown.shutdown('test');
    expect(entries).toContainEqual([
      'error',
      expect.objectContaining({ hook: 'slow', code: 'PM_SHUTDOWN_HOOK_TIMEOUT' }),
      'shutdown hook timed out; continuing',
    ]);
    expect(entries.at(-1)).toEqual(['error', expect.objectContaining({ reason: 'test', exitCode: 1 }), 'shutdown complete']);
  });
});

describe('liveness of a wedged process', () => {
  it('/livez does not answer while the event loop is blocked, and answers again after', async () => {
    const { app, url } = await startApp();
    const blocked = httpRequest(`${url}/block?ms=1500`);
    await app.waitForLine('blocking');
    await expect(httpRequest(`${url}/livez`, { timeout: 500 })).rejects.toThrow(/timed out/);
    await blocked;
    expect((await httpRequest(`${url}/livez`)).status).toBe(200);
  });
});
