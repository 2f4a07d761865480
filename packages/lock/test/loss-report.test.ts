import { describe, expect, it } from 'vitest';
import { LossReport } from '../src/loss-report.js';

function recordingLogger() {
  const errors: unknown[] = [];
  const noop = () => {};
  return { errors, logger: { debug: noop, info: noop, warn: noop, error: (obj: unknown) => void errors.push(obj) } };
}

describe('LossReport (how Redis and PostgreSQL handles hand a loss to the lock)', () => {
  it('delivers a loss reported before watch() as soon as a watcher registers', () => {
    const { logger } = recordingLogger();
    const loss = new LossReport(logger);
    const error = new Error('lease ran out before the lock object existed');
    loss.report(error);
    const seen: Error[] = [];
    loss.watch((e) => seen.push(e));
    expect(seen).toEqual([error]);
  });

  it('delivers a later loss to the registered watcher, and logs (never throws) when the watcher throws', () => {
    const { logger, errors } = recordingLogger();
    const loss = new LossReport(logger);
    loss.watch(() => {
      throw new Error('watcher bug');
    });
    expect(() => loss.report(new Error('connection ended'))).not.toThrow();
    expect(errors).toEqual([{ err: 'Error: watcher bug' }]);
  });
});
