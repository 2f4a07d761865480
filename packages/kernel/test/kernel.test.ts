import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodedError, problemsMessage } from '@pm/kernel/errors';
import { asyncDispose, isObject } from '@pm/kernel/guards';
import { isLogger, jsonLinesLogger, resolveLogger, silentLogger } from '@pm/kernel/logger';
import { portInUseMessage } from '@pm/kernel/port-in-use';
import { readProcStat } from '@pm/kernel/proc-stat';

describe('logger', () => {
  it('writes pino-format lines, drops those below the level, and serialises errors', () => {
    const lines: string[] = [];
    const logger = jsonLinesLogger({ write: (l: string) => lines.push(l) }, { level: 'info', base: { name: 'x' } });
    logger.debug('hidden');
    logger.info({ a: 1 }, 'hello');
    logger.error({ err: Object.assign(new Error('boom'), { code: 'E_X' }) }, 'failed');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({ level: 30, pid: process.pid, name: 'x', a: 1, msg: 'hello' });
    expect(parsed[1]).toMatchObject({ level: 50, err: { type: 'Error', code: 'E_X', message: 'boom' } });
  });

  it('PROCESS_MANAGER_DEBUG=true is read when called: JSON lines with level names on stderr', () => {
    expect(resolveLogger(undefined, '@pm/x')).toBe(silentLogger);
    const write = process.stderr.write;
    const lines: string[] = [];
    process.env.PROCESS_MANAGER_DEBUG = 'true';
    process.stderr.write = ((line: string) => lines.push(line) > 0) as typeof process.stderr.write;
    try {
      resolveLogger(undefined, '@pm/x').debug({ k: 'v' }, 'm');
    } finally {
      process.stderr.write = write;
      delete process.env.PROCESS_MANAGER_DEBUG;
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'debug', name: '@pm/x', k: 'v', msg: 'm' });
  });

  it('keeps a given logger and recognises logger shapes', () => {
    expect(resolveLogger(silentLogger, 'x')).toBe(silentLogger);
    expect(isLogger(silentLogger)).toBe(true);
    expect(isLogger({ debug() {}, info() {} })).toBe(false);
    expect(isLogger(null)).toBe(false);
  });
});

describe('errors and guards', () => {
  it('CodedError keeps code, cause and the subclass name', () => {
    class PmXError extends CodedError<'PM_X'> {}
    const cause = new Error('root');
    const error = new PmXError('PM_X', 'bad', { cause });
    expect([error.name, error.code, error.cause, error instanceof Error]).toEqual(['PmXError', 'PM_X', cause, true]);
    expect(problemsMessage('Invalid x options', ['a', 'b'])).toBe('Invalid x options:\n  - a\n  - b');
  });

  it('isObject accepts plain objects only; asyncDispose is the runtime symbol', () => {
    expect([isObject({}), isObject([]), isObject(null), isObject('s')]).toEqual([true, false, false, false]);
    expect(asyncDispose).toBe(Symbol.asyncDispose);
  });

  it('portInUseMessage names the holder and how to stop it', () => {
    expect(portInUseMessage(3000, { named: 'pid 42 (node)', pid: 42 })).toBe(
      'Port 3000 is already in use by pid 42 (node). Stop it with `kill 42`, or set PORT to a free port.',
    );
    expect(portInUseMessage(3000, { named: '', pid: null })).toMatch(/lsof -iTCP:3000 -sTCP:LISTEN/);
  });
});

describe('readProcStat', () => {
  it.skipIf(process.platform !== 'linux')(
    'reads a process whose command name holds spaces and parentheses; null for a gone pid',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kernel-'));
      const odd = join(dir, 'x) (y z');
      symlinkSync('/bin/sleep', odd);
      const child = spawn(odd, ['5']);
      try {
        await new Promise((resolve) => child.once('spawn', resolve));
        const stat = readProcStat(child.pid!)!;
        expect(stat.ppid).toBe(process.pid);
        expect(stat.pgid).toBe(readProcStat(process.pid)!.pgid);
        expect(stat.state).toMatch(/^[RSD]$/);
        expect(stat.startTicks).toMatch(/^\d+$/);
      } finally {
        child.kill();
        rmSync(dir, { recursive: true, force: true });
      }
      expect(readProcStat(2 ** 22 + 7)).toBeNull();
    },
  );
});
