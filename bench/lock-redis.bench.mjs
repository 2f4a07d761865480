// @pm/lock/redis vs the raw SET NX PX + DEL round trips vs redlock and @sesamecare-oss/redlock, on the
// same Redis: uncontended acquire+release, and how soon a waiter gets a lease whose holder was SIGKILLed.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireInstanceLock } from '@pm/lock';
import { redisBackend } from '@pm/lock/redis';
import { Redlock as SesameRedlock } from '@sesamecare-oss/redlock';
import { Redis } from 'ioredis';
import Redlock from 'redlock';
import { median, ms, quantile, report, table } from './lib/report.mjs';
import { timeInterleaved, timeTakeover } from './lib/timing.mjs';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const TAKEOVER_RUNS = Number(process.env.BENCH_TAKEOVER_RUNS ?? 10);
const TTL = 1000;
const here = new URL('.', import.meta.url).pathname;
const run = randomUUID().slice(0, 8);
const keyPrefix = `pm:bench:${run}:`;
const client = new Redis();
const admin = new Redis();

// 1. Uncontended acquire + release. Every contender runs through the same ioredis client.
const pm = redisBackend({ client, keyPrefix, ttl: 10_000 });
const redlock = new Redlock([client], { retryCount: 0 });
const sesame = new SesameRedlock([client], { retryCount: 0 });
const rawKey = `${keyPrefix}raw`;
// The backend alone, driven through the public LockBackend interface with a record built once: what
// the Redis protocol costs, without the fixed cost of acquireInstanceLock (options, the holder record, the lock object).
const record = {
  name: 'alone',
  pid: process.pid,
  hostname: hostname(),
  instanceId: randomUUID(),
  startedAt: new Date().toISOString(),
  port: null,
  nodeVersion: process.version,
  processStart: null,
  bootId: null,
  metadata: {},
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const contenders = [
  [
    'raw SET NX PX + DEL (floor)',
    async () => {
      await client.set(rawKey, 'x', 'PX', 10_000, 'NX');
      await client.del(rawKey);
    },
  ],
  [
    '@pm/lock/redis (ioredis)',
    async () => (await acquireInstanceLock({ name: 'uncontended', backend: pm, releaseOnExit: false })).release(),
  ],
  [
    'redisBackend alone: tryAcquire + release',
    async () => {
      const attempt = await pm.tryAcquire({ name: 'alone', record, logger: silent, acquisition: {} });
      attempt.handle.watch(() => {});
      await attempt.handle.release();
    },
  ],
  ['redlock 5.0.0-beta.2 (1 instance)', async () => (await redlock.acquire([`${keyPrefix}redlock`], 10_000)).release()],
  ['@sesamecare-oss/redlock (1 instance)', async () => (await sesame.acquire([`${keyPrefix}sesame`], 10_000)).release()],
];
const uncontended = await timeInterleaved(contenders, ITERATIONS);
const floor = median(uncontended[0][1]);
const medianOf = (label) => median(uncontended.find(([n]) => n.startsWith(label))[1]);

// 2. Takeover: a waiter is already waiting when the holder is SIGKILLed. The lease outlives its holder
// by up to ttl (by design: nobody can tell a dead holder from a partitioned one), so the figure that
// compares the libraries is the delay between the lease's expiry in Redis and the waiter holding it.
async function takeover(kind, resource, key, acquire) {
  const {
    killedAt,
    acquiredAt,
    observed: pttl,
  } = await timeTakeover({
    holderArgs: [join(here, 'lock-redis-holder.mjs'), kind, resource, keyPrefix, String(TTL)],
    acquire,
    settleMs: 50 + Math.random() * 200,
    afterKill: () => admin.pttl(key),
  });
  const expiresAt = killedAt + pttl;
  return { afterExpiry: acquiredAt - expiresAt, afterKill: acquiredAt - killedAt };
}
const takeovers = [];
for (const [label, kind, acquire] of [
  [
    '@pm/lock/redis waiter (wait option)',
    'pm',
    (resource) =>
      acquireInstanceLock({
        name: resource,
        backend: redisBackend({ client, keyPrefix, ttl: TTL }),
        wait: 30_000,
        releaseOnExit: false,
      }).then((l) => () => l.release()),
  ],
  [
    'redlock waiter (default retryDelay 200 ms)',
    'redlock',
    (resource) => new Redlock([client], { retryCount: 100 }).acquire([resource], TTL).then((l) => () => l.release()),
  ],
  [
    '@sesamecare-oss/redlock waiter (default retryDelay 200 ms)',
    'sesame',
    (resource) => new SesameRedlock([client], { retryCount: 100 }).acquire([resource], TTL).then((l) => () => l.release()),
  ],
]) {
  const samples = [];
  for (let i = 0; i < TAKEOVER_RUNS; i++) {
    const resource = kind === 'pm' ? `takeover-${i}` : `${keyPrefix}${kind}-takeover-${i}`;
    const key = kind === 'pm' ? `${keyPrefix}{${resource}}` : resource;
    samples.push(await takeover(kind, resource, key, () => acquire(resource)));
  }
  takeovers.push([label, samples]);
}

const keys = await admin.keys(`${keyPrefix}*`);
if (keys.length > 0) await admin.del(...keys);
client.disconnect();
admin.disconnect();

const pmMedian = medianOf('@pm/lock/redis');
const pmTakeover = median(takeovers[0][1].map((s) => s.afterExpiry));
report('lock-redis', {
  title: '@pm/lock/redis: acquire+release and takeover vs raw commands and Redlock',
  description:
    `One local Redis, one ioredis client shared by every contender. ${ITERATIONS} uncontended acquire+release cycles each after 200 warm-up cycles and 2 s of warm-up cycling, contenders taking turns in blocks of 20. ` +
    `@pm/lock does one EVALSHA to acquire (SET NX PX + INCR fencing token + holder record) and one to release (token-checked DEL); the floor is a bare SET NX PX then DEL. ` +
    `Takeover: ${TAKEOVER_RUNS} runs each, ttl ${TTL} ms; a waiter waits while the holder process is SIGKILLed; "after expiry" is from the moment the lease expires in Redis (kill time + its PTTL) until the waiter holds the lock.`,
  tables: [
    table([
      ['uncontended acquire+release', 'median', 'p95', 'x floor'],
      ...uncontended.map(([name, s]) => [name, ms(median(s)), ms(quantile(s, 0.95)), (median(s) / floor).toFixed(2)]),
    ]),
    table([
      ['takeover after SIGKILL', 'runs', 'median after expiry', 'max after expiry', 'median after kill'],
      ...takeovers.map(([name, s]) => [
        name,
        String(s.length),
        ms(median(s.map((x) => x.afterExpiry))),
        ms(Math.max(...s.map((x) => x.afterExpiry))),
        ms(median(s.map((x) => x.afterKill))),
      ]),
    ]),
  ],
  ratioLine:
    `@pm/lock/redis acquire+release = ${(pmMedian / floor).toFixed(2)}x the raw SET NX PX + DEL round trips (target ≤ 1.5x; the backend alone ${(medianOf('redisBackend alone') / floor).toFixed(2)}x), ` +
    `${(pmMedian / medianOf('redlock')).toFixed(2)}x redlock and ${(pmMedian / medianOf('@sesamecare')).toFixed(2)}x @sesamecare-oss/redlock; ` +
    `takeover ${ms(pmTakeover)} after the lease expires vs ${ms(median(takeovers[1][1].map((s) => s.afterExpiry)))} (redlock) and ${ms(median(takeovers[2][1].map((s) => s.afterExpiry)))} (@sesamecare-oss/redlock)`,
});
