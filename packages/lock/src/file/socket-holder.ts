import type { TryAcquireResult } from '../backend.js';
import { isVerifiedHolder } from '../process-info.js';
import { parseLockFile, type HolderRecord } from '../record.js';
import { readLockFile, type LockFileContent } from './atomic-file.js';
import type { Verdict } from './judge.js';
import type { MutexProbe } from './socket-mutex.js';

type Busy = Extract<TryAcquireResult, { acquired: false }>;

/** The record in the lock file, if it holds one. */
function recordInFile(path: string): HolderRecord | undefined {
  const content = readLockFile(path);
  const parsed = content.kind === 'file' ? parseLockFile(content.text) : null;
  return parsed?.kind === 'record' ? parsed.record : undefined;
}

/**
 * Who holds the mutex we did not get. The holder answers over the socket, its file is the fallback;
 * either way the PID is called verified only when its start time and its user (the owner of the
 * socket, which only a user who may write the folder could create) match.
 */
export async function describeHolder(
  path: string,
  probe: MutexProbe,
  judgeFile: (content: LockFileContent) => Promise<Verdict>,
): Promise<Busy> {
  if (probe.state === 'free') {
    // Released (or replaced) between our attempt and our look: try again at once.
    return { acquired: false, holder: undefined, location: path, waitForChange: async () => undefined };
  }
  if (probe.state === 'unreachable') {
    // Another user's socket we may not connect to: the file alone speaks, and only a verified record names anyone.
    return busy(path, await judgeFile(readLockFile(path)));
  }
  const answered = probe.answer ? parseLockFile(probe.answer) : null;
  const holder = answered?.kind === 'record' ? answered.record : recordInFile(path);
  const holderVerified = holder ? await isVerifiedHolder(holder, probe.ownerUid) : false;
  return { acquired: false, holder, holderVerified, location: path, waitForChange: probe.waitForRelease, dispose: probe.close };
}

/** The busy answer a verdict gives: it names the holder only when the verdict found one. */
export function busy(path: string, verdict: Verdict): Extract<TryAcquireResult, { acquired: false }> {
  return verdict.action === 'busy'
    ? { acquired: false, holder: verdict.holder, holderVerified: verdict.verified, location: path }
    : { acquired: false, holder: undefined, location: path };
}
