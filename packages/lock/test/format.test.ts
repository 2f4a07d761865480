import { describe, expect, it } from 'vitest';
import { formatInstanceRunningMessage, InstanceAlreadyRunningError, type HolderRecord } from '../src/index.js';

const holder: HolderRecord = {
  name: 'backend',
  pid: 4242,
  hostname: 'box',
  instanceId: 'id',
  startedAt: '2026-01-02T03:04:05.000Z',
  port: 8000,
  nodeVersion: 'v20',
  processStart: null,
  bootId: null,
  metadata: {},
};

describe('InstanceAlreadyRunningError', () => {
  it('carries the holder and code, and tells the user what to do', () => {
    const error = new InstanceAlreadyRunningError(holder, '/data/backend.pid', 'backend');
    expect(error.code).toBe('PM_INSTANCE_RUNNING');
    expect(error.name).toBe('InstanceAlreadyRunningError');
    expect(error.lock).toBe(holder);
    expect(error.message).toContain('PID 4242');
    expect(error.message).toContain('2026-01-02T03:04:05.000Z');
    expect(error.message).toContain('port 8000');
    expect(error.message).toContain('kill 4242');
    expect(error.message).toContain('http://localhost:8000/health');
  });

  it('omits the health URL when no port is known', () => {
    const error = new InstanceAlreadyRunningError({ ...holder, port: null }, '/data/backend.pid', 'backend');
    expect(error.message).not.toContain('http://');
  });

  it('never tells anyone to stop a holder that was not verified, and says how to check it', () => {
    const error = new InstanceAlreadyRunningError({ ...holder, pid: 1 }, '/data/backend.pid', 'backend', { verified: false });
    expect(error.holderVerified).toBe(false);
    expect(error.message).not.toMatch(/\bkill\b|Stop it/);
    expect(error.message).toContain('ps -o pid,user,lstart,args -p 1');
    const text = formatInstanceRunningMessage(error, { restartCommand: 'npm run dev' });
    expect(text).not.toMatch(/\bkill\b/);
    expect(text).toContain('ps -o pid,user,lstart,args -p 1');
    expect(new InstanceAlreadyRunningError(holder, '/data/backend.pid', 'backend').holderVerified).toBe(true);
  });

  it('still explains itself when the holder left no record', () => {
    const error = new InstanceAlreadyRunningError(undefined, '/data/x.pid', 'x');
    expect(error.lock).toBeUndefined();
    expect(error.message).toMatch(/no readable record/);
  });
});

describe('formatInstanceRunningMessage', () => {
  it('prints the boxed message of the reference spec', () => {
    const text = formatInstanceRunningMessage(new InstanceAlreadyRunningError(holder, '/data/backend.pid', 'backend'), {
      restartCommand: 'npm run dev',
      healthPath: '/api/health',
    });
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^╔═+╗$/);
    expect(lines[2]).toMatch(/^║ {2}backend instance already running +║$/);
    expect(lines[1]!.length).toBe(lines[2]!.length);
    expect(text).toContain('PID:        4242 (on box)');
    expect(text).toContain('Port:       8000');
    expect(text).toContain('kill -9 4242 && npm run dev');
    expect(text).toContain('curl http://localhost:8000/api/health');
  });
});
