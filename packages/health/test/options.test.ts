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

  it('rejects timeouts longer than setTimeout supports (they would fire after 1 ms), naming the maximum', async () => {
    const error = thrown(() => createHealth({ checkTimeout: 2 ** 31, checks: { db: { check: () => true, timeout: 2 ** 31 } } }));
    expect(error.code).toBe('PM_HEALTH_INVALID_OPTIONS');
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toMatch(
      /^checkTimeout must be at most 2147483647 ms .*for no practical limit, use 2147483647 \(got 2147483648\)$/,
    );
    expect(error.problems[1]).toMatch(/^checks\.db\.timeout must be at most 2147483647 ms/);
    expect(thrown(() => createHealth().addCheck('db', () => true, { timeout: 2 ** 31 })).problems[0]).toMatch(
      /timeout must be at most 2147483647/,
    );
    // The maximum itself is fine, and cacheMs (never a timer) has no such limit.
    const health = createHealth({
      checkTimeout: 2 ** 31 - 1,
      cacheMs: 2 ** 40,
      checks: { db: { check: () => true, timeout: 2 ** 31 - 1 } },
    });
    health.setReady();
    expect((await health.report()).checks.db).toMatchObject({ status: 'pass' });
  });

  it('reports unknown keys at every level, suggesting the option meant', () => {
    const error = thrown(() =>
      createHealth({
        check: { db: () => true },
        checkTimout: 100,
        colour: 'blue',
        checks: { db: { check: () => true, timout: 100, Critical: false } },
        paths: { helth: '/h' },
      } as unknown as HealthOptions),
    );
    expect(error.code).toBe('PM_HEALTH_INVALID_OPTIONS');
    expect(error.problems).toEqual([
      'check is not an option (did you mean checks?)',
      'checkTimout is not an option (did you mean checkTimeout?)',
      expect.stringMatching(/^colour is not an option \(known: checks, info, checkTimeout, .*logger\)$/),
      'checks.db.timout is not an option (did you mean checks.db.timeout?)',
      'checks.db.Critical is not an option (did you mean checks.db.critical?)',
      'paths.helth is not an option (did you mean paths.health?)',
    ]);
    expect(thrown(() => createHealth().addCheck('db', () => true, { cacheMS: 10 } as never)).problems).toEqual([
      'check "db".cacheMS is not an option (did you mean check "db".cacheMs?)',
    ]);
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
        hooks: [
          { name: 'a', fn: () => {} },
          { name: 'a', fn: 'x' },
        ],
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
    expect(thrown(() => createShutdown({ drainDelay: 1000, drainTimeout: 4000, timeout: 5000 })).problems[0]).toMatch(
      /drainDelay \+ drainTimeout/,
    );
  });

  it('rejects ms options longer than setTimeout supports, naming the maximum', () => {
    const error = thrown(() =>
      createShutdown({
        signals: [],
        timeout: 2 ** 31,
        hookTimeout: 2 ** 31,
        drainTimeout: 2 ** 31,
        drainDelay: 2 ** 31,
        hooks: [{ name: 'db', fn: () => {}, timeout: 2 ** 31 }],
      }),
    );
    expect(error.problems.map((p) => p.split(' must ')[0])).toEqual([
      'hooks[0].timeout',
      'hookTimeout',
      'timeout',
      'drainDelay',
      'drainTimeout',
    ]);
    expect(error.problems.every((p) => p.includes('must be at most 2147483647 ms'))).toBe(true);
    expect(error.problems[2]).toContain('for no practical limit, use 2147483647');
    // A delay has no "no limit" reading: no such hint.
    expect(error.problems[3]).not.toContain('no practical limit');
    const atMax = createShutdown({ signals: [], timeout: 2 ** 31 - 1, hookTimeout: 2 ** 31 - 1, exit: () => {} });
    atMax.uninstall();
    expect(thrown(() => createShutdown({ signals: [] }).addHook('db', () => {}, { timeout: 2 ** 31 })).problems[0]).toMatch(
      /at most 2147483647/,
    );
  });

  it('reports unknown keys, in options and hooks, suggesting the option meant', () => {
    const error = thrown(() =>
      createShutdown({
        signal: ['SIGUSR2'],
        timout: 1000,
        drainDelayMs: 5000,
        hooks: [{ name: 'db', fn: () => {}, ordr: 2 }],
      } as unknown as ShutdownOptions),
    );
    expect(error.code).toBe('PM_HEALTH_INVALID_OPTIONS');
    expect(error.problems).toEqual([
      'signal is not an option (did you mean signals?)',
      'timout is not an option (did you mean timeout?)',
      'drainDelayMs is not an option (did you mean drainDelay?)',
      'hooks[0].ordr is not an option (did you mean hooks[0].order?)',
    ]);
    const shutdown = createShutdown({ signals: [], exit: () => {} });
    expect(thrown(() => shutdown.addHook('db', () => {}, { timout: 10 } as never)).problems).toEqual([
      'hook "db".timout is not an option (did you mean hook "db".timeout?)',
    ]);
    shutdown.uninstall();
  });

  it('installs one listener for a signal listed twice', () => {
    const before = process.listenerCount('SIGHUP');
    const shutdown = createShutdown({ signals: ['SIGHUP', 'SIGHUP'], exit: () => {} });
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    shutdown.uninstall();
    expect(process.listenerCount('SIGHUP')).toBe(before);
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
    const count = () => ['SIGTERM', 'SIGINT', 'SIGHUP', 'uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e));
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
      lock: {
        release: () => {
          order.push('lock');
        },
      },
      hooks: [
        {
          name: 'b',
          order: 2,
          fn: () => {
            order.push('b');
          },
        },
      ],
      exit: (code) => codes.push(code),
    });
    shutdown.addHook(
      'a',
      ({ reason }) => {
        order.push(`a:${reason}`);
      },
      { order: 1 },
    );
    const removed = shutdown.addHook('gone', () => {
      order.push('gone');
    });
    removed();
    const result = await shutdown.shutdown('deploy');
    expect(await shutdown.shutdown('again')).toBe(result);
    expect(health.state).toBe('shutting_down');
    expect(order).toEqual(['a:deploy', 'b', 'lock']);
    expect(codes).toEqual([0]);
    expect(result).toMatchObject({ reason: 'deploy', exitCode: 0, forced: false, errors: [] });
    expect(result.hooks.map((h) => [h.name, h.status])).toEqual([
      ['a', 'ok'],
      ['b', 'ok'],
    ]);
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
        {
          name: 'throws',
          fn: () => {
            throw new Error('bad');
          },
        },
        { name: 'hangs', fn: () => new Promise(() => {}) },
      ],
      exit: (code) => codes.push(code),
    });
    const result = await shutdown.shutdown();
    expect(codes).toEqual([1]);
    expect(result.errors.map((e) => e.code)).toEqual([
      'PM_SHUTDOWN_HOOK_FAILED',
      'PM_SHUTDOWN_HOOK_TIMEOUT',
      'PM_SHUTDOWN_LOCK_RELEASE_FAILED',
    ]);
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
      // A short timeout shortens the implicit delay to fit (at most half of timeout) instead of failing
      // over a drainDelay the user never set; a given drainTimeout leaves it at most half of the rest.
      const short = createShutdown({ signals: [], timeout: 4000, exit: () => {} });
      expect([short.drainDelay, short.drainTimeout]).toEqual([2000, 1000]);
      const withDrain = createShutdown({ signals: [], timeout: 4000, drainTimeout: 3000, exit: () => {} });
      expect([withDrain.drainDelay, withDrain.drainTimeout]).toEqual([500, 3000]);
      // Budgets that fit 5 s keep it, as before.
      const roomy = createShutdown({ signals: [], timeout: 10_000, exit: () => {} });
      const roomyDrain = createShutdown({ signals: [], timeout: 25_000, drainTimeout: 10_000, exit: () => {} });
      expect([roomy.drainDelay, roomyDrain.drainDelay]).toEqual([
        shutdownDefaults.kubernetesDrainDelay,
        shutdownDefaults.kubernetesDrainDelay,
      ]);
      // Options that are wrong by themselves are still reported, about those options.
      expect(thrown(() => createShutdown({ signals: [], timeout: 4000, drainTimeout: 4000 })).problems[0]).toMatch(
        /drainTimeout \(0 \+ 4000 ms\)/,
      );
      for (const s of [short, withDrain, roomy, roomyDrain]) s.uninstall();
    } finally {
      if (saved === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      else process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });
});
