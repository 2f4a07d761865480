// Timing helpers shared by the lock benchmarks.
import { spawn } from 'node:child_process';

/**
 * Times each contender's `fn` over `iterations` calls. Contenders take turns in blocks of `block` calls,
 * so a burst of load from elsewhere on the machine (or on a shared server) falls on all of them alike
 * rather than on whichever ran at that moment. Returns `[label, samplesInMs]` per contender.
 */
export async function timeInterleaved(contenders, iterations, block = 20) {
  // Warm-up: 200 cycles each, then 2 s of cycling. On this VM a client/server round trip takes ~6x
  // longer until both processes have been busy for a second or two (idle CPUs sleep deeper).
  for (const [, fn] of contenders) for (let i = 0; i < 200; i++) await fn();
  for (const until = performance.now() + 2000; performance.now() < until;) for (const [, fn] of contenders) await fn();
  const samples = contenders.map(() => []);
  for (let done = 0; done < iterations; done += block) {
    for (const [index, [, fn]] of contenders.entries()) {
      for (let i = 0; i < Math.min(block, iterations - done); i++) {
        const t0 = performance.now();
        await fn();
        samples[index].push(performance.now() - t0);
      }
    }
  }
  return contenders.map(([label], index) => [label, samples[index]]);
}

/**
 * One takeover: starts a holder process (`holderArgs`, it prints a line once it holds the lock), starts
 * the waiter (`acquire()` resolves with a release function once it holds the lock), waits `settleMs` so
 * the waiter is really waiting, SIGKILLs the holder and awaits the waiter. `afterKill` runs right after
 * the kill (e.g. to read a lease's remaining ttl). Returns the kill and acquire times and what `afterKill` gave.
 */
export async function timeTakeover({ holderArgs, acquire, settleMs, afterKill }) {
  const holder = spawn(process.execPath, holderArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => holder.stdout.once('data', resolve));
  const exited = new Promise((resolve) => holder.on('exit', resolve));
  const waiting = acquire();
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const killedAt = performance.now();
  holder.kill('SIGKILL');
  const observed = await afterKill?.();
  const release = await waiting;
  const acquiredAt = performance.now();
  await exited;
  await release();
  return { killedAt, acquiredAt, observed };
}
