import { createHash } from 'node:crypto';
import type { SendCommand } from './client.js';

// The lease is one string value: {"token":"<hex>","fence":<n>,"holder":<record JSON>}. Token and
// fence come first so the scripts can read them with a pattern, without decoding the record.
// Every script checks the token, so a holder can only ever renew or delete its own lease.

/**
 * KEYS[1] lease, KEYS[2] fencing counter; ARGV[1] token, ARGV[2] ttl (ms), ARGV[3] holder JSON.
 * Returns {1, fence} when the lease is ours, {0, value} when someone else holds it.
 * A lease already carrying our token is ours: an earlier attempt whose reply was lost (or that the
 * client re-sent after reconnecting) must not make its own retry fail.
 */
const ACQUIRE = `
local held = redis.call('GET', KEYS[1])
if held then
  if string.match(held, '^{"token":"(%x+)"') == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, tonumber(string.match(held, '"fence":(%d+)'))}
  end
  return {0, held}
end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], '{"token":"' .. ARGV[1] .. '","fence":' .. fence .. ',"holder":' .. ARGV[3] .. '}', 'PX', ARGV[2], 'NX')
return {1, fence}
`;

/** KEYS[1] lease; ARGV[1] token, ARGV[2] ttl. 1 when renewed, 0 when the lease is no longer ours. */
const RENEW = `
local held = redis.call('GET', KEYS[1])
if held and string.match(held, '^{"token":"(%x+)"') == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** KEYS[1] lease; ARGV[1] token. 1 when deleted, 0 when it was not ours (expired, or taken). */
const RELEASE = `
local held = redis.call('GET', KEYS[1])
if held and string.match(held, '^{"token":"(%x+)"') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

/** A Lua script sent by hash (EVALSHA), falling back to its text once when the server lacks it. */
export class LuaScript {
  private sha: string | undefined;

  constructor(private readonly source: string) {}

  async run(send: SendCommand, keys: string[], args: string[]): Promise<unknown> {
    this.sha ??= createHash('sha1').update(this.source).digest('hex');
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await send(['EVALSHA', this.sha, ...tail]);
    } catch (error) {
      // A restarted or flushed server forgets scripts; EVAL runs and caches it again.
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return send(['EVAL', this.source, ...tail]);
    }
  }
}

/** The scripts of the Redis lease. */
export const leaseScripts = {
  acquire: new LuaScript(ACQUIRE),
  renew: new LuaScript(RENEW),
  release: new LuaScript(RELEASE),
} as const;
