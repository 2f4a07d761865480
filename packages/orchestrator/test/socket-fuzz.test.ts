import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestDaemon } from '../src/daemon/client.js';
import { makeProject, pmStart, projectPids } from './cli-helpers.js';
import { alive, fixture } from './helpers.js';

/** What one raw connection got back: the bytes the daemon sent before the connection ended. */
interface RawReply {
  sent: string;
  reply: string;
}

/**
 * Opens daemon.sock, writes `payload` (in pieces when given an array), optionally half-closes, and
 * collects whatever comes back until the connection ends or `timeout` ms pass.
 */
function raw(socketPath: string, payload: string | Buffer | (string | Buffer)[], options: { end?: boolean; timeout?: number } = {}) {
  return new Promise<RawReply>((resolve) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({
        sent: String(Array.isArray(payload) ? payload.join('') : payload).slice(0, 80),
        reply: Buffer.concat(chunks).toString('utf8'),
      });
    };
    const timer = setTimeout(done, options.timeout ?? 20_000);
    socket.on('connect', () => {
      for (const piece of Array.isArray(payload) ? payload : [payload]) socket.write(piece);
      if (options.end) socket.end();
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer (the daemon closes while we still write a huge line) still counts what was read.
    socket.on('error', done);
    socket.on('close', done);
  });
}

/** A small deterministic PRNG (mulberry32): a failing run can be replayed with the seed it prints. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  '',
  'x',
  'all',
  [],
  [null],
  [1],
  [[]],
  [{}],
  {},
  { nested: { cmd: 'stop' } },
];
const WEIRD_CMDS: unknown[] = [
  null,
  1,
  true,
  [],
  {},
  '',
  'nope',
  'STATUS',
  'status ',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'close',
  'on',
  'adopt',
];

/** Messages that are JSON but wrong in every way a field can be wrong; none is a valid start/stop/restart. */
function structuredButWrong(): string[] {
  const out: string[] = [];
  for (const cmd of WEIRD_CMDS) out.push(JSON.stringify({ cmd }));
  // Wrong `names` for every verb that takes names (a valid list of a known app would really act).
  for (const cmd of ['start', 'stop', 'restart']) {
    for (const names of [null, 5, 'svc', {}, { 0: 'svc' }, [1], [null], [[]], [{}], [''], ['nope'], ['svc', 7], true])
      out.push(JSON.stringify({ cmd, names }));
  }
  for (const value of WEIRD_VALUES) out.push(JSON.stringify(value));
  out.push('{"__proto__":{"cmd":"stop"}}', '{"constructor":{"prototype":{"cmd":"stop"}}}', '{"cmd":"stop","cmd":"nope"}');
  return out;
}

/** Random bytes, random JSON-ish text and random objects with random fields. */
function randomMessages(seed: number, count: number): (string | Buffer)[] {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const out: (string | Buffer)[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    if (kind === 0) {
      out.push(
        Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)).filter((b) => b !== 10)),
      );
    } else if (kind === 1) {
      out.push(Array.from({ length: 1 + Math.floor(random() * 60) }, () => pick('{}[]":,0123456789.-eE nultrfas\\u'.split(''))).join(''));
    } else {
      const object: Record<string, unknown> = {};
      for (let k = Math.floor(random() * 4); k > 0; k--) object[pick(['cmd', 'names', 'x', '', 'token', 'data'])] = pick(WEIRD_VALUES);
      if (kind === 3) object.cmd = pick(WEIRD_CMDS);
      out.push(JSON.stringify(object));
    }
  }
  return out;
}

/** The reply's one JSON line, or null when there is none. */
function answer(reply: RawReply): { ok: boolean; error?: { code: string; message: string } } | null {
  const line = reply.reply.split('\n')[0];
  try {
    return line ? (JSON.parse(line) as { ok: boolean; error?: { code: string; message: string } }) : null;
  } catch {
    return null;
  }
}

describe('daemon.sock under malformed, oversized and hostile input', () => {
  it('answers every bad message with an error line and keeps answering status', { timeout: 180_000 }, async () => {
    const { dir } = makeProject({ apps: [{ name: 'svc', script: fixture('sleeper.mjs') }], dashboard: false });
    await pmStart(dir);
    const socketPath = join(dir, '.pm', 'daemon.sock');
    const daemon = projectPids(dir).daemon!;
    const [before] = (await requestDaemon(socketPath, { cmd: 'status' }, 10_000)).status!;
    const seed = Date.now() % 100_000;
    console.log(`socket fuzz seed ${seed}`);

    const oneByOne = [...structuredButWrong(), ...randomMessages(seed, 200)];
    const replies: RawReply[] = [];
    // In batches below the connection cap, so each message gets its own answer (not PM_BUSY).
    for (let i = 0; i < oneByOne.length; i += 25) {
      replies.push(...(await Promise.all(oneByOne.slice(i, i + 25).map((m) => raw(socketPath, [m, '\n'])))));
    }
    // Shapes of a line: deep nesting, a line far over the size limit, a line with no end, a partial
    // line then end-of-stream, several lines in one connection, a line dribbled byte by byte.
    replies.push(
      await raw(socketPath, `${'['.repeat(30_000)}\n`),
      await raw(socketPath, `${'{"cmd":"status","x":"'}${'a'.repeat(2 * 1024 * 1024)}"}\n`),
      await raw(socketPath, 'a'.repeat(200 * 1024)),
      await raw(socketPath, '{"cmd":"status"', { end: true }),
      await raw(socketPath, '{"cmd":"nope"}\n'.repeat(500)),
      await raw(socketPath, [...'{"cmd":"nope"}\n'], {}),
      await raw(socketPath, '\n'),
    );
    const unanswered = replies.filter((r) => answer(r) === null);
    expect(unanswered.map((r) => r.sent)).toEqual([]);
    const wrong = replies.filter((r) => answer(r)!.ok !== false || !/^PM_[A-Z_]+$/.test(answer(r)!.error?.code ?? ''));
    expect(wrong.map((r) => [r.sent, r.reply])).toEqual([]);
    // A wrong field is named in the answer.
    expect(answer(replies[oneByOne.indexOf(JSON.stringify({ cmd: 'stop', names: 5 }))]!)!.error!.message).toMatch(/names/);

    // Many at once, beyond the connection cap: every one still gets an error line (PM_BUSY for the extra).
    const burst = await Promise.all(randomMessages(seed + 1, 300).map((m) => raw(socketPath, [m, '\n'])));
    expect(burst.filter((r) => answer(r)?.ok !== false).map((r) => r.sent)).toEqual([]);
    console.log(`burst of ${burst.length}: ${burst.filter((r) => answer(r)?.error?.code === 'PM_BUSY').length} answered PM_BUSY`);

    expect(alive(daemon)).toBe(true);
    const after = await requestDaemon(socketPath, { cmd: 'status' }, 10_000);
    expect(after.ok).toBe(true);
    // Nothing in the noise acted on the app.
    expect(after.status!.map((s) => [s.name, s.status, s.pid, s.restarts])).toEqual([['svc', 'running', before!.pid, 0]]);
  });
});
