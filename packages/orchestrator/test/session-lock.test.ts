import { describe, expect, it } from 'vitest';
import { stopHint } from '../src/session/lock.js';

describe('how pm tells the user to end the supervisor holding the lock', () => {
  it('suggests kill only for a holder whose pid, start time and uid the lock verified', () => {
    expect(stopHint({ pid: 4242, mode: 'daemon', verified: true })).toBe('kill -TERM 4242');
    const unverified = stopHint({ pid: 1, mode: 'daemon', verified: false });
    expect(unverified).not.toContain('kill');
    expect(unverified).toBe('check it with `ps -o pid,user,lstart,args -p 1` before ending it');
  });
});
