import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createHolderRecord, parseLockFile, serializeRecord } from '../src/record.js';

describe('holder record', () => {
  it('names this process: pid, host, uuid, ISO start, port, node version, start time, boot id, metadata', async () => {
    const record = await createHolderRecord({ name: 'api', port: 3000, metadata: { role: 'primary' } });
    expect(record).toMatchObject({
      name: 'api',
      pid: process.pid,
      hostname: hostname(),
      port: 3000,
      nodeVersion: process.version,
      metadata: { role: 'primary' },
    });
    expect(record.instanceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(record.startedAt).toISOString()).toBe(record.startedAt);
    if (process.platform === 'linux') {
      expect(record.processStart).toMatch(/^proc:\d+$/);
      expect(record.bootId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('round-trips through the stored JSON', async () => {
    const record = await createHolderRecord({ name: 'api', port: null, metadata: {} });
    expect(parseLockFile(serializeRecord(record))).toEqual({ kind: 'record', record });
  });

  it.each([
    ['', 'junk'],
    ['   \n', 'junk'],
    ['{"pid": 12', 'junk'],
    ['{"hello": 1}', 'junk'],
    ['[1,2]', 'junk'],
    ['{"pid": -4}', 'junk'],
    ['\u0000\u0001garbage', 'junk'],
    ['0\n', 'junk'],
    ['12345\n', 'pid'],
    ['{"pid": 77}', 'record'],
  ])('parses %j leniently as %s, never throwing', (text, kind) => {
    expect(parseLockFile(text).kind).toBe(kind);
  });

  it('fills missing fields of a hand-written JSON record with safe defaults', () => {
    const parsed = parseLockFile('{"pid": 77, "port": "x", "metadata": 5}');
    expect(parsed).toMatchObject({ kind: 'record', record: { pid: 77, port: null, metadata: {}, processStart: null, instanceId: '' } });
  });
});
