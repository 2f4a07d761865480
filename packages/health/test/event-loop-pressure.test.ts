import { httpRequest, sleep, spawnFixture, waitFor, type FixtureProcess } from '@pm/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthReport } from '../src/index.js';
import { fixture } from './helpers.js';

// Event-loop behaviour is tested on a separate process whose loop is blocked on purpose: a blocked
// loop in the test runner would block the test too.
let app: FixtureProcess | undefined;
async function start(config: object): Promise<string> {
  app = spawnFixture(fixture('loaded-app.mjs'), { args: [JSON.stringify(config)] });
  const line = await app.waitForLine(/^listening \d+$/, 15_000);
  return `http://127.0.0.1:${line.split(' ')[1]}`;
}
afterEach(async () => {
  app?.kill('SIGKILL');
  await app?.exited;
  app = undefined;
});

describe('eventLoopCheck in a process whose loop is blocked', () => {
  it('passes on an idle loop; after a 600 ms block it fails with the delay measured; then passes again', async () => {
    const url = await start({ eventLoop: { maxDelayMs: 200, sampleIntervalMs: 100 } });
    await sleep(300);
    const idle = await httpRequest(`${url}/health`);
    expect(idle.status).toBe(200);
    expect((idle.json as HealthReport).checks.loop!.details).toMatchObject({
      delayMs: expect.any(Number),
      utilization: expect.any(Number),
    });
    expect((idle.json as HealthReport).checks.loop!.details!.delayMs).toBeLessThan(200);

    await httpRequest(`${url}/block?ms=600`);
    const blocked = await httpRequest(`${url}/health`);
    expect(blocked.status).toBe(503);
    const loop = (blocked.json as HealthReport).checks.loop!;
    expect(loop.error).toMatch(/event loop delay [\d.]+ ms is above maxDelayMs 200/);
    expect(loop.details!.delayMs).toBeGreaterThanOrEqual(500);
    expect(loop.details!.delayMs).toBeLessThan(1500);
    // A dependency-free process check is not in liveness unless asked: /livez stays 200.
    expect((await httpRequest(`${url}/livez`)).status).toBe(200);
    expect((await httpRequest(`${url}/readyz`)).status).toBe(503);

    await sleep(300);
    expect((await httpRequest(`${url}/health`)).status).toBe(200); // the block is reported once, not forever
  });

  it('with liveness: true a blocked loop fails /livez; utilization over its limit fails too', async () => {
    const url = await start({ eventLoop: { maxDelayMs: 200, liveness: true, sampleIntervalMs: 100 } });
    await sleep(200);
    await httpRequest(`${url}/livez`); // resets the window
    await httpRequest(`${url}/block?ms=500`);
    const live = await httpRequest(`${url}/livez`);
    expect(live.status, live.body).toBe(503);

    const busy = await start({ eventLoop: { maxUtilization: 0.5 } });
    await httpRequest(`${busy}/health`);
    await httpRequest(`${busy}/block?ms=1000`); // long enough that a loaded machine's request overhead cannot dilute it below 0.5
    const res = await httpRequest(`${busy}/health`);
    expect((res.json as HealthReport).checks.loop!.error).toMatch(/utilization (1|0\.\d+) is above maxUtilization 0.5/);
  });
});

describe('underPressure in a process whose loop is blocked', () => {
  it('app routes get 503 + Retry-After while over the limit, /livez stays 200, /readyz reports the pressure; all recover', async () => {
    const url = await start({ pressure: { maxEventLoopDelayMs: 200, retryAfter: 7 } });
    expect((await httpRequest(`${url}/anything`)).status).toBe(200);
    const calm = await httpRequest(`${url}/readyz`);
    expect(calm.status).toBe(200);
    expect(calm.json).toMatchObject({ status: 'healthy', pressure: { overLimit: false, eventLoopDelayMs: expect.any(Number) } });

    await httpRequest(`${url}/block?ms=500`);
    const shed = await httpRequest(`${url}/anything`);
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('7');
    const ready = await httpRequest(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toBe('7');
    expect(ready.json).toMatchObject({ status: 'under_pressure', pressure: { overLimit: true, reasons: ['eventLoopDelay'] } });
    expect((ready.json as { pressure: { eventLoopDelayMs: number } }).pressure.eventLoopDelayMs).toBeGreaterThanOrEqual(400);
    expect((await httpRequest(`${url}/livez`)).status).toBe(200);

    // The next quiet window (100 ms by default) lifts it.
    await waitFor(async () => (await httpRequest(`${url}/anything`)).status === 200, { timeout: 2000, message: 'shedding ends' });
    expect((await httpRequest(`${url}/readyz`)).status).toBe(200);
  });

  it('heap over its limit sheds until it is freed; shutdown stops the sampler and shedding', async () => {
    const url = await start({ pressure: { maxHeapUsedBytes: 150 * 1024 * 1024 } });
    expect((await httpRequest(`${url}/anything`)).status).toBe(200);
    await httpRequest(`${url}/grow?n=20000000`); // ~160 MB of pointers
    await waitFor(async () => (await httpRequest(`${url}/anything`)).status === 503, { timeout: 3000, message: 'heap pressure seen' });
    const ready = await httpRequest(`${url}/readyz`);
    expect(ready.json).toMatchObject({ pressure: { reasons: ['heapUsed'] } });
    await httpRequest(`${url}/ctl/free`);
    await waitFor(async () => (await httpRequest(`${url}/anything`)).status === 200, { timeout: 3000, message: 'heap freed' });

    await httpRequest(`${url}/grow?n=20000000`);
    await waitFor(async () => (await httpRequest(`${url}/anything`)).status === 503, { timeout: 3000, message: 'heap pressure again' });
    await httpRequest(`${url}/ctl/shutdown`); // draining: the sampler stops, requests still in flight are not refused
    expect((await httpRequest(`${url}/anything`)).status).toBe(200);
    expect((await httpRequest(`${url}/readyz`)).json).toEqual({ status: 'shutting_down' });
  });

  it('rejects options that cannot shed anything, naming the fix', async () => {
    const { underPressure } = await import('../src/index.js');
    expect(() => underPressure({ retryAfter: 5 })).toThrow(/give at least one limit/);
    expect(() => underPressure({ maxEventLoopUtilization: 1.5, retryAfter: 0.5 })).toThrow(
      expect.objectContaining({
        problems: [expect.stringMatching(/^maxEventLoopUtilization/), expect.stringMatching(/^retryAfter must be a whole number/)],
      }),
    );
  });
});
