import type { Logger } from '../logger.js';
import { holderLiveness, isVerifiedHolder } from '../process-info.js';
import { parseLockFile, type HolderRecord } from '../record.js';
import type { LockFileContent } from './atomic-file.js';

/** What to do about what is at the lock path. */
export type Verdict =
  | { action: 'free' }
  /** `verified`: the record proves its holder (start time and user match); only then may anyone be told to stop it. */
  | { action: 'busy'; holder: HolderRecord; verified: boolean }
  /** Possibly mid-write by someone else: not ours to judge yet. */
  | { action: 'retry'; reason: string }
  | { action: 'takeover'; reason: string; holder?: HolderRecord };

/** Instance ids of locks this process holds right now, so a record naming our own PID is told apart. */
export const heldInThisProcess = new Set<string>();

/** A bare PID written by hand, shaped as a record so errors and inspection can name it. */
function recordFromPid(pid: number, name: string): HolderRecord {
  return {
    name,
    pid,
    hostname: 'unknown',
    instanceId: '',
    startedAt: 'unknown time',
    port: null,
    nodeVersion: 'unknown',
    processStart: null,
    bootId: null,
    metadata: {},
  };
}

/** What {@link judgeLockFile} needs to know. */
export interface JudgeOptions {
  name: string;
  junkGraceMs: number;
  logger: Logger;
  /**
   * True when the kernel mutex is known free (this process holds it, or nobody does): a live holder
   * would hold it, so a record that cannot prove its holder is stale. False without a mutex (`link`).
   */
  mutexFree: boolean;
}

/**
 * Decides whether the content at the lock path belongs to a live holder. Never throws on bad content:
 * junk and hand-written files are judged, not parsed strictly.
 */
export async function judgeLockFile(content: LockFileContent, options: JudgeOptions): Promise<Verdict> {
  if (content.kind === 'missing') return { action: 'free' };
  if (content.kind === 'symlink') return { action: 'takeover', reason: 'the lock path is a symlink (never followed; it is replaced)' };

  const parsed = parseLockFile(content.text);
  if (parsed.kind === 'junk') {
    const age = Date.now() - content.mtimeMs;
    // Our own records appear whole (temp file + link/rename); a young file without one may be a
    // foreign writer mid-write, so it gets a grace period before it counts as stale.
    if (age < options.junkGraceMs) return { action: 'retry', reason: `lock file has no readable record yet (${parsed.reason})` };
    return { action: 'takeover', reason: `lock file holds no valid record (${parsed.reason})` };
  }

  const holder = parsed.kind === 'record' ? parsed.record : recordFromPid(parsed.pid, options.name);
  if (holder.pid === process.pid) {
    if (heldInThisProcess.has(holder.instanceId)) return { action: 'busy', holder, verified: true };
    // Containers restart with the same low PID: a record naming us that we don't hold is from an earlier life.
    return {
      action: 'takeover',
      reason: 'the recorded PID is this process, which does not hold the lock (left by an earlier run)',
      holder,
    };
  }
  const liveness = await holderLiveness(holder);
  if (liveness === 'alive') {
    const verified = await isVerifiedHolder(holder, content.uid);
    if (verified || !options.mutexFree) return { action: 'busy', holder, verified };
    // A bare PID, or a record whose start time or user does not match: it proves nothing, and the
    // mutex every live holder keeps is free. (Otherwise any PID written there, even 1, would block.)
    return {
      action: 'takeover',
      reason: `the record cannot prove that PID ${holder.pid} holds the lock (no matching start time and user), and the lock's socket is free`,
      holder,
    };
  }
  const reasons = {
    dead: `holder PID ${holder.pid} is not running`,
    'pid-reused': `PID ${holder.pid} now belongs to another process (different start time)`,
    rebooted: 'the record is from before the last reboot',
  } as const;
  return { action: 'takeover', reason: reasons[liveness], holder };
}
