import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  createHealth,
  createShutdown,
  DuplicateNameError,
  HealthErrorCodes,
  InvalidOptionsError,
  PmHealthError,
  shutdownDefaults,
  type HealthOptions,
  type ShutdownOptions,
} from '../src/index.js';

function thrown(fn: () => unknown): InvalidOptionsError {
  try {
    fn();
  } catch (error) {
    return error as InvalidOptionsError;
  }
  throw new Error('expected a throw');
}

describe('createHealth options', () => {
  it('lists every problem at once, with a stable code', () => {
    const error = thrown(() =>
      createHealth({
        checkTimeout: 0,
        cacheMs: -1,
        format: 'xml',
        exposeDetails: 'yes',
        paths: { health: 'health', live: '/same', ready: '/same' },
        checks: { db: { check: 'nope' }, cache: { check: () => true, timeout: -5 } },
        logger: {},
      } as unknown as HealthOptions),
    );
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toBeInstanceOf(PmHealthError);
    expect(error.name).toBe('InvalidOptionsError');
    expect(error.code).toBe(HealthErrorCodes.invalidOptions);
    expect(error.problems).toHaveLength(9);
    expect(error.problems.join('\n')).toMatch(/checkTimeout[\s\S]*cacheMs[\s\S]*format[\s\S]*paths.health[\s\S]*three different/);
  });

  it('rejects a duplicate check name with PM_HEALTH_DUPLICATE_NAME', () => {
    const health = createHealth({ checks: { db: () => true } });
    expect(() => health.addCheck('db', () => true)).toThrow(DuplicateNameError);
    try {
      health.addCheck('db', () => true);
    } catch (error) {
      expect((error as PmHealthError).code).toBe('PM_HEALTH_DUPLICATE_NAME');
    }
    expect(() => health.addCheck('', () => true)).toThrow(InvalidOptionsError);
  });
});

describe('createShutdown options and lifecycle (in process)', () => {
  it('lists every problem at once', () => {
    const error = thrown(() =>
      createShutdown({
        signals: ['SIGKILL', 'SIGNOPE'],
        servers: [{}],
        lock: {},
        hooks: [{ name: 'a', fn: () => {} }, { name: 'a', fn: 'x' }],
        timeout: -1,
        exit: 1,
      } as unknown as ShutdownOptions),
    );
    expect(error.code).toBe('PM_HEALTH_INVALID_OPTIONS');
    expect(error.problems).toEqual([
      'signals: SIGKILL cannot be caught by a process',
      'signals: "SIGNOPE" is not a signal name',
      'servers[0] is not a node:http / net server',
      'lock must have a release() method (an @pm/lock InstanceLock works)',
      'hooks[1].fn must be a function',
      'hooks: the name "a" is used twice',
      'timeout must be a finite number of milliseconds >= 1 (got -1)',
      'exit must be a function (code) => void',
    ]);
    expect(thrown(() => createShutdown({ drainDelay: 5000, timeout: 5000 })).problems[0]).toMatch(/drainDelay/);
    expect(thrown(() => createShutdown({ drainDelay: 1000, drainTimeout: 4000, timeout: 5000 })).problems[0]).toMatch(/drainDelay \+ drainTimeout/);
  });

  it('caps the default drainTimeout at half of what timeout leaves after drainDelay', () => {
    const at = (options: ShutdownOptions) => {
      const s = createShutdown({ signals: [], exit: () => {}, ...options });
      s.uninstall();
      return s.drainTimeout;
    };
    expect(at({})).toBe(shutdownDefaults.drainTimeout);
    expect(at({ timeout: 3000 })).toBe(1500);
    expect(at({ timeout: 3000, drainDelay: 1000 })).toBe(1000);
    expect(at({ timeout: 3000, drainTimeout: 2500 })).toBe(2500);
  });

  it('uninstall() removes every listener it added; Symbol.asyncDispose does too', async () => {
    const count = () =>
      ['SIGTERM', 'SIGINT', 'SIGHUP', 'uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e));
    const server = createServer();
    const before = count();
    const serverBefore = ['connection', 'secureConnection', 'request'].map((e) => server.listenerCount(e));
    const shutdown = createShutdown({ signals: ['SIGTERM', 'SIGHUP'], servers: [server], handleErrors: true, exit: () => {} });
    expect(count()).toEqual([before[0]! + 1, before[1], before[2]! + 1, before[3]! + 1, before[4]! + 1]);
    shutdown.uninstall();
    shutdown.uninstall();
    expect(count()).toEqual(before);
    expect(['connection', 'secureConnection', 'request'].map((e) => server.listenerCount(e))).toEqual(serverBefore);

    {
      await using _disposable = createShutdown({ exit: () => {} });
      expect(count()[0]).toBe(before[0]! + 1);
    }
    expect(count()).toEqual(before);
  });

  it('calls the injected exit once with 0, flips health, and returns the result', async () => {
    const codes: number[] = [];
    const health = createHealth();
    health.setReady();
    const order: string[] = [];
    const shutdown = createShutdown({
      health,
      signals: [],
      lock: { release: () => { order.push('lock'); } },
      hooks: [{ name: 'b', order: 2, fn: () => { order.push('b'); } }],
      exit: (code) => codes.push(code),
    });
    shutdown.addHook('a', ({ reason }) => { order.push(`a:${reason}`); }, { order: 1 });
    const removed = shutdown.addHook('gone', () => { order.push('gone'); });
    removed();
    const result = await shutdown.shutdown('deploy');
    expect(await shutdown.shutdown('again')).toBe(result);
    expect(health.state).toBe('shutting_down');
    expect(order).toEqual(['a:deploy', 'b', 'lock']);
    expect(codes).toEqual([0]);
    expect(result).toMatchObject({ reason: 'deploy', exitCode: 0, forced: false, errors: [] });
    expect(result.hooks.map((h) => [h.name, h.status])).toEqual([['a', 'ok'], ['b', 'ok']]);
    shutdown.uninstall();
  });

  it('drains a server that never listened, and one that already closed, without hanging', async () => {
    const codes: number[] = [];
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    await new Promise((r) => closed.close(r));
    const shutdown = createShutdown({ signals: [], servers: [createServer(), closed], exit: (code) => codes.push(code) });
    expect((await shutdown.shutdown()).exitCode).toBe(0);
    expect(codes).toEqual([0]);
    shutdown.uninstall();
  });

  it('reports hook and lock failures with codes and exit code 1', async () => {
    const codes: number[] = [];
    const shutdown = createShutdown({
      signals: [],
      hookTimeout: 100,
      lock: { release: () => Promise.reject(new Error('EACCES')) },
      hooks: [
        { name: 'throws', fn: () => { throw new Error('bad'); } },
        { name: 'hangs', fn: () => new Promise(() => {}) },
      ],
      exit: (code) => codes.push(code),
    });
    const result = await shutdown.shutdown();
    expect(codes).toEqual([1]);
    expect(result.errors.map((e) => e.code)).toEqual(['PM_SHUTDOWN_HOOK_FAILED', 'PM_SHUTDOWN_HOOK_TIMEOUT', 'PM_SHUTDOWN_LOCK_RELEASE_FAILED']);
    expect(result.errors[0]!.cause).toBeInstanceOf(Error);
    expect(result.hooks.map((h) => h.status)).toEqual(['failed', 'timeout']);
  });

  it('defaults drainDelay to 5 s under Kubernetes (read when called, not at import), 0 elsewhere, always overridable', () => {
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    try {
      delete process.env.KUBERNETES_SERVICE_HOST;
      const plain = createShutdown({ signals: [], exit: () => {} });
      expect(plain.drainDelay).toBe(shutdownDefaults.drainDelay);
      process.env.KUBERNETES_SERVICE_HOST = '10.0.0.1';
      const k8s = createShutdown({ signals: [], exit: () => {} });
      expect(k8s.drainDelay).toBe(shutdownDefaults.kubernetesDrainDelay);
      expect(createShutdown({ signals: [], drainDelay: 250, exit: () => {} }).drainDelay).toBe(250);
    } finally {
      if (saved === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      else process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });
});
