import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/index.js';
import {
  decideRestart,
  relevantHistory,
  type RestartDecision,
  type RestartSettings,
  type RunOutcome,
} from '../../src/supervisor/restart-policy.js';

/** Jitter pinned to the middle: every delay is exactly its base. */
const noJitter = (): number => 0.5;
const settings = (over: Partial<RestartSettings> = {}): RestartSettings => ({
  policy: 'on-failure',
  maxRestarts: 3,
  window: 10_000,
  minUptime: 1000,
  backoff: { initial: 100, max: 1000 },
  ...over,
});
const crash = (endedAt: number): RunOutcome => ({ endedAt, failed: true, ready: true, uptime: 10 });
const longRun = (endedAt: number): RunOutcome => ({ endedAt, failed: true, ready: true, uptime: 5000 });

describe('decideRestart', () => {
  it.each([
    ['first crash: initial backoff', [crash(0)], { action: 'restart', delay: 100, consecutive: 1 }],
    ['second crash in a row doubles', [crash(0), crash(100)], { action: 'restart', delay: 200, consecutive: 2 }],
    ['third doubles again', [crash(0), crash(100), crash(300)], { action: 'restart', delay: 400, consecutive: 3 }],
    ['more than maxRestarts short runs in the window: give up', [0, 100, 300, 700].map(crash), { action: 'give-up', shortRuns: 4 }],
    [
      'short runs outside the window do not count',
      [-20_000, -15_000, 100, 300].map(crash),
      { action: 'restart', delay: 800, consecutive: 4 },
    ],
    [
      'backoff never passes backoff.max',
      [-90_000, -70_000, -50_000, -30_000, -11_000, 0].map(crash),
      { action: 'restart', delay: 1000, consecutive: 6 },
    ],
    ['a long run restarts at once', [crash(0), crash(100), longRun(6000)], { action: 'restart', delay: 0, consecutive: 0 }],
    [
      'a long run resets the backoff, not the window count',
      [crash(0), crash(100), longRun(6000), crash(6100)],
      { action: 'restart', delay: 100, consecutive: 1 },
    ],
    [
      'a run that never became ready is short however long it lived',
      [{ endedAt: 0, failed: true, ready: false, uptime: 60_000 }],
      { action: 'restart', delay: 100, consecutive: 1 },
    ],
  ] as const)('%s', (_name, history, expected) => {
    expect(decideRestart(history, settings(), 6200, noJitter)).toEqual(expected);
  });

  it.each([
    ['never, after a crash: errored', 'never', true, { action: 'stay-stopped', errored: true }],
    ['never, after a clean exit: stopped', 'never', false, { action: 'stay-stopped', errored: false }],
    ['on-failure, after a clean exit: stopped', 'on-failure', false, { action: 'stay-stopped', errored: false }],
    ['always, after a clean exit: restart', 'always', false, { action: 'restart', delay: 100, consecutive: 1 }],
  ] as const)('%s', (_name, policy, failed, expected) => {
    const history = [{ endedAt: 0, failed, ready: true, uptime: 10 }];
    expect(decideRestart(history, settings({ policy }), 0, noJitter)).toEqual(expected);
  });
  it.each([5, 999])('with the default settings a crash loop of %i ms runs gives up within the window (the README arithmetic)', (uptime) => {
    const defaults = resolveConfig({ apps: [{ name: 'a', command: ['true'] }] }).apps[0]!.restart;
    const longest = (): number => 1; // the jitter makes every delay as long as it can be
    let now = 0;
    let history: RunOutcome[] = [];
    let runs = 0;
    let decision: RestartDecision = { action: 'restart', delay: 0, consecutive: 0 };
    while (decision.action === 'restart' && runs < 1000) {
      now += decision.delay + uptime;
      runs++;
      history = relevantHistory([...history, { endedAt: now, failed: true, ready: true, uptime }], defaults, now);
      decision = decideRestart(history, defaults, now, longest);
    }
    expect(decision).toEqual({ action: 'give-up', shortRuns: 16 });
    expect(runs).toBe(16); // PM2 gives up after 16 unstable restarts too
    expect(now).toBeLessThanOrEqual(defaults.window);
    if (uptime === 5) expect(now).toBeLessThan(25_000); // 23.72 s of delays at most, + 16 short runs
  });
});

describe('relevantHistory', () => {
  it('keeps what the decision needs and nothing older, however long an app crashes', () => {
    const s = settings({ maxRestarts: 1_000_000, window: 1000 });
    let history: RunOutcome[] = [];
    for (let t = 0; t < 100_000; t += 500) history = relevantHistory([...history, crash(t)], s, t);
    expect(history.length).toBeLessThanOrEqual(32);
    expect(decideRestart(history, s, 100_000, noJitter)).toMatchObject({ action: 'restart', delay: 1000 });
  });

  it('never changes a decision', () => {
    const s = settings({ maxRestarts: 5, window: 3000 });
    let full: RunOutcome[] = [];
    let kept: RunOutcome[] = [];
    let seed = 7;
    const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let t = 0; t < 200_000; t += 50 + Math.floor(random() * 400)) {
      const run = { endedAt: t, failed: true, ready: random() > 0.1, uptime: Math.floor(random() * 2000) };
      full = [...full, run];
      kept = relevantHistory([...kept, run], s, t);
      expect(decideRestart(kept, s, t, noJitter)).toEqual(decideRestart(full, s, t, noJitter));
    }
  });
});
