import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest } from '@pm/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { createHealth, HealthErrorCodes, startServing } from '../src/index.js';

/** A lock stand-in that records what it was asked: @pm/health takes any `{ release() }`. */
function recordingLock() {
  const calls: string[] = [];
  return {
    calls,
    acquire: (port: number) => {
      calls.push(`acquire ${port}`);
      return { release: async () => void calls.push('release') };
    },
  };
}

const quiet = { signals: [], exit: vi.fn() };

describe('startServing', () => {
  it('port 0: listens first, then takes the lock with the port bound; ready, then a clean shutdown releases it last', async () => {
    const lock = recordingLock();
    const health = createHealth({ announceToSupervisor: false });
    const server = createServer((req, res) => health.handler(req, res, () => res.end('app')));
    const serving = await startServing({ server, port: 0, host: '127.0.0.1', lock: lock.acquire, health, shutdown: quiet });
    const bound = (server.address() as AddressInfo).port;
    expect([serving.port, serving.url]).toEqual([bound, `http://127.0.0.1:${bound}`]);
    expect(lock.calls).toEqual([`acquire ${bound}`]);
    expect((await httpRequest(`${serving.url}/readyz`)).status).toBe(200);
    serving.shutdown.addHook('db', () => void lock.calls.push('db hook'));
    expect((await serving.shutdown.shutdown('test')).exitCode).toBe(0);
    expect(lock.calls).toEqual([`acquire ${bound}`, 'db hook', 'release']);
  });

  it('a fixed port: the lock first; when listen fails, the lock is released, the listeners removed and the error rethrown as is', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const lock = recordingLock();
    const before = process.listenerCount('SIGTERM');
    try {
      const error = await startServing({
        server: createServer(),
        port,
        host: '127.0.0.1',
        lock: lock.acquire,
        health: createHealth({ announceToSupervisor: false }),
        shutdown: { exit: vi.fn() },
      }).catch((e: unknown) => e);
      expect((error as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
      expect(lock.calls).toEqual([`acquire ${port}`, 'release']);
      expect(process.listenerCount('SIGTERM')).toBe(before);
    } finally {
      blocker.close();
    }
  });

  it('a failing ready(): the server is closed, the lock released, health never ready', async () => {
    const lock = recordingLock();
    const health = createHealth({ announceToSupervisor: false });
    const server = createServer();
    const boom = new Error('db down');
    const error = await startServing({
      server,
      port: 0,
      lock: lock.acquire,
      health,
      shutdown: quiet,
      ready: () => Promise.reject(boom),
    }).catch((e: unknown) => e);
    expect(error).toBe(boom);
    expect(server.listening).toBe(false);
    expect(lock.calls.at(-1)).toBe('release');
    expect(health.state).toBe('initializing');
  });

  it('reports every problem with its options at once', async () => {
    const error = await startServing({ server: {} as never, port: -1, health: {} as never, shutdown: { lock: {} } as never }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: HealthErrorCodes.invalidOptions });
    expect((error as { problems: string[] }).problems).toHaveLength(4);
  });
});
