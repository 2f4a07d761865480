import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, spawnFixture, waitFor } from '@pm/test-utils';
import { describe, expect, it } from 'vitest';
import { fileBackend, inspectInstanceLock } from '../src/index.js';
import { exclusions, fixture, startHolder } from './helpers.js';

describe.each(exclusions)('real processes (%s exclusion)', (exclusion) => {
  it('a second process is refused with the first one named', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const first = await startHolder(path, exclusion);
    const second = await startHolder(path, exclusion);
    expect(second.stdout).toContain(`busy ${first.pid}`);
    expect((await second.exited).code).toBe(1);
  });

  it('holder SIGKILLed: inspect says stale, then a fresh acquirer takes over at once', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const holder = await startHolder(path, exclusion);
    holder.kill('SIGKILL');
    await holder.exited;
    expect(await inspectInstanceLock({ backend: fileBackend({ path, exclusion }) })).toMatchObject({
      state: 'stale',
      holder: { pid: holder.pid },
    });
    const next = await startHolder(path, exclusion);
    expect(next.stdout).toContain(`acquired ${next.pid}`);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(next.pid);
  });

  it('holder SIGKILLed: a waiting process takes over', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const holder = await startHolder(path, exclusion);
    const waiter = spawnFixture(fixture('holder.mjs'), { args: [path, exclusion, '10000'] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(waiter.stdout).toEqual([]);
    holder.kill('SIGKILL');
    await waiter.waitForLine(`acquired ${waiter.pid}`, 5000);
  });

  it('releaseOnExit removes the file on a normal exit; disabling it leaves the (now stale) record', async () => {
    const path = join(makeTempDir(), 'app.pid');
    const holder = await startHolder(path, exclusion);
    holder.child.stdin!.write('exit\n');
    expect((await holder.exited).code).toBe(0);
    expect(existsSync(path)).toBe(false);
    const keeper = await startHolder(path, exclusion, { env: { RELEASE_ON_EXIT: 'false' } });
    keeper.child.stdin!.write('exit\n');
    await keeper.exited;
    expect((await inspectInstanceLock({ backend: fileBackend({ path, exclusion }) })).state).toBe('stale');
  });

  it('16 processes × 30 acquisitions with wait never overlap (journal check)', async () => {
    const dir = makeTempDir();
    const path = join(dir, 'app.pid');
    const journal = join(dir, 'journal.log');
    writeFileSync(journal, '');
    const workers = Array.from({ length: 16 }, () =>
      spawnFixture(fixture('journal-worker.mjs'), { args: [path, exclusion, journal, '30'] }),
    );
    const results = await Promise.all(workers.map((w) => w.exited));
    expect(results.map((r) => r.code)).toEqual(Array(16).fill(0));
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(16 * 30 * 2);
    let inside: string | null = null;
    for (const line of lines) {
      const [event, pid] = line.split(' ') as [string, string];
      if (event === 'enter') {
        expect(inside, `pid ${pid} entered while ${inside} held the lock`).toBeNull();
        inside = pid;
      } else {
        expect(inside).toBe(pid);
        inside = null;
      }
    }
  }, 120_000);
});

/**
 * Round after round: the holder is SIGKILLed, then 10 contenders try at the same wall-clock instant.
 * Exactly one may win each round. Contenders are long-lived processes driven over IPC so a round
 * costs one spawn (the killed winner's replacement), not eleven.
 */
async function staleRace(exclusion: string, rounds: number, pausedEnv: Record<string, string> = {}) {
  const path = join(makeTempDir(), 'race.pid');
  const spawnContender = (env: Record<string, string> = {}) => {
    const proc = spawnFixture(fixture('contender.mjs'), { args: [path, exclusion], ipc: true, env });
    const ready = new Promise<void>((resolve) => proc.child.on('message', (m: { ready?: boolean }) => m.ready && resolve()));
    return { proc, ready };
  };
  // One contender pauses between judging the lock stale and taking it over.
  let contenders = [spawnContender(pausedEnv), ...Array.from({ length: 9 }, () => spawnContender())];
  await Promise.all(contenders.map((c) => c.ready));
  let winnerIndex = -1;
  for (let round = 0; round < rounds; round++) {
    if (winnerIndex >= 0) {
      const winner = contenders[winnerIndex]!;
      winner.proc.kill('SIGKILL');
      await winner.proc.exited;
      const replacement = spawnContender(winnerIndex === 0 ? pausedEnv : {});
      await replacement.ready;
      contenders = contenders.map((c, i) => (i === winnerIndex ? replacement : c));
    }
    const at = Date.now() + 30;
    const answers = await Promise.all(
      contenders.map(
        (c) =>
          new Promise<{ won: boolean; pid: number; code?: string }>((resolve) => {
            const onMessage = (m: { won?: boolean }) => {
              if (m.won === undefined) return;
              c.proc.child.off('message', onMessage);
              resolve(m as { won: boolean; pid: number });
            };
            c.proc.child.on('message', onMessage);
            c.proc.child.send({ cmd: 'try', at });
          }),
      ),
    );
    const winners = answers.filter((a) => a.won);
    expect(winners, `round ${round}: ${JSON.stringify(answers)}`).toHaveLength(1);
    expect(answers.filter((a) => !a.won).every((a) => a.code === 'PM_INSTANCE_RUNNING')).toBe(true);
    await waitFor(() => JSON.parse(readFileSync(path, 'utf8')).pid === winners[0]!.pid, { timeout: 1000, message: 'winner record' });
    winnerIndex = answers.findIndex((a) => a.won);
  }
  for (const c of contenders) c.proc.kill('SIGKILL');
}

describe.each(exclusions)('stale takeover race (%s exclusion)', (exclusion) => {
  it('exactly one winner per round over 150 rounds of SIGKILL + 10 simultaneous contenders', async () => {
    await staleRace(exclusion, 150);
  }, 120_000);

  it('a contender paused between its check and its takeover never replaces the new holder', async () => {
    await staleRace(exclusion, 40, { TAKEOVER_PAUSE_MS: '25' });
  }, 120_000);
});
