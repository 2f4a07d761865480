import { makeTempDir } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { createDispatcher, failureFromError } from '../src/daemon/dispatcher.js';
import { httpStatusOf, parseDaemonRequest, toWire } from '../src/daemon/protocol.js';
import { AppNotFoundError } from '../src/errors.js';
import { fixture, orchestrate } from './helpers.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('parseDaemonRequest', () => {
  it.each([
    [null, /not null/],
    [[], /not an array/],
    [7, /not number/],
    ['status', /not string/],
    [{}, /missing "cmd" \(none\)/],
    [{ cmd: 'nope' }, /Unknown or missing "cmd" "nope"/],
    [{ cmd: 'toString' }, /expected one of ping, status/],
    [{ cmd: 'stop', names: null }, /"names" must be a list of app names/],
    [{ cmd: 'stop', names: 'api' }, /"names" must be a list/],
    [{ cmd: 'restart', names: [''] }, /non-empty strings/],
    [{ cmd: 'start', names: [1] }, /got \[1\]/],
  ])('refuses %j naming what is wrong', (value, message) => {
    const parsed = parseDaemonRequest(value);
    expect(parsed).toMatchObject({ ok: false, reason: 'bad-request', error: { code: 'PM_BAD_REQUEST', message } });
  });

  it('accepts the requests the CLI sends, keeping only the known fields', () => {
    expect(parseDaemonRequest({ cmd: 'status', names: 5 })).toEqual({ cmd: 'status' });
    expect(parseDaemonRequest({ cmd: 'stop' })).toEqual({ cmd: 'stop' });
    expect(parseDaemonRequest({ cmd: 'stop', names: ['a', 'b'], extra: 1 })).toEqual({ cmd: 'stop', names: ['a', 'b'] });
    expect(parseDaemonRequest(JSON.parse('{"__proto__":{"cmd":"stop"}}'))).toMatchObject({ ok: false });
  });
});

describe('the dispatcher: one way from an orchestrator outcome to an answer', () => {
  it('maps each outcome to a reason (and so one HTTP status), keeping the app status', async () => {
    const { orchestrator } = orchestrate(
      {
        apps: [
          { name: 'svc', script: fixture('sleeper.mjs') },
          { name: 'bad', script: fixture('crash.mjs'), ready: { log: 'never' }, restart: { policy: 'never' } },
        ],
      },
      { baseDir: makeTempDir() },
    );
    const dispatch = createDispatcher({ orchestrator, logger: silent, ping: () => ({ pid: 1 }) });
    expect(await dispatch({ cmd: 'ping' })).toEqual({ ok: true, data: { pid: 1 } });
    expect(await dispatch({ cmd: 'dashboard' })).toMatchObject({ ok: false, reason: 'unavailable', error: { code: 'PM_DASHBOARD_OFF' } });

    const started = await dispatch({ cmd: 'start', names: ['svc'] });
    expect(started).toMatchObject({ ok: true, status: [{ name: 'svc', status: 'running' }, { name: 'bad' }] });

    const unknown = await dispatch({ cmd: 'stop', names: ['nope'] });
    expect(unknown).toMatchObject({ ok: false, reason: 'not-found', error: { code: 'PM_APP_NOT_FOUND' }, status: [{}, {}] });
    const failed = await dispatch({ cmd: 'start', names: ['bad'] });
    expect(failed).toMatchObject({ ok: false, reason: 'refused', error: { code: 'PM_START_FAILED' }, status: [{}, { name: 'bad' }] });
    expect([unknown, failed].map((r) => !r.ok && httpStatusOf[r.reason])).toEqual([404, 409]);
    // What travels carries no reason (HTTP says it with the status code).
    expect(toWire(failed)).not.toHaveProperty('reason');

    orchestrator.status = () => Promise.reject(new Error('sampling failed'));
    expect(await dispatch({ cmd: 'status' })).toEqual({
      ok: false,
      reason: 'internal',
      error: { code: 'PM_ERROR', message: 'Could not read the status: sampling failed' },
    });
  });

  it('treats a PM_ error as the caller’s and anything else as the daemon’s', () => {
    expect(failureFromError(new AppNotFoundError('x', ['a']))).toMatchObject({ reason: 'not-found', error: { code: 'PM_APP_NOT_FOUND' } });
    expect(failureFromError(new TypeError('boom'))).toMatchObject({ reason: 'internal', error: { code: 'PM_ERROR', message: 'boom' } });
    expect(failureFromError(null)).toMatchObject({ reason: 'internal', error: { message: 'null' } });
  });
});
