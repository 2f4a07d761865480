import { existsSync } from 'node:fs';
import { StateCorruptError } from '../errors.js';
import type { AppRecord } from '../supervisor/events.js';
import { writeFileAtomic } from '../daemon/atomic-write.js';
import { readOwnFile } from '../safe-fs/own-file.js';

/** What the daemon persists. */
export interface DaemonState {
  version: 1;
  /** The config file the daemon ran. */
  configFile: string | null;
  /** PID of the daemon that wrote this. */
  daemonPid: number;
  /** ISO time of the write. */
  savedAt: string;
  apps: AppRecord[];
}

/** Result of {@link StateStore.load}. */
export interface LoadedState {
  state: DaemonState | null;
  /** Set when the file was corrupt (then `state` is the previous copy, or null). */
  problem: StateCorruptError | null;
}

function parse(text: string): DaemonState {
  const value = JSON.parse(text) as DaemonState;
  if (value?.version !== 1 || !Array.isArray(value.apps) || !value.apps.every((a) => typeof a?.name === 'string')) {
    throw new Error('not a pm state file (version 1 with an apps array)');
  }
  return value;
}

/**
 * The state file: written atomically (temp file, fsync, rename, fsync of the folder; see
 * {@link writeFileAtomic}) with mode 0600 and the previous copy kept as `<file>.prev`, so a torn or
 * corrupt write is recovered from the copy before it.
 */
export class StateStore {
  constructor(readonly file: string) {}

  /** The previous copy's path. */
  get previous(): string {
    return `${this.file}.prev`;
  }

  /** Reads the state file, falling back to the previous copy when it is missing or corrupt. */
  load(): LoadedState {
    let mainError: unknown;
    if (existsSync(this.file)) {
      try {
        return { state: parse(readOwnFile(this.file)), problem: null };
      } catch (error) {
        mainError = error;
      }
    }
    let previous: DaemonState | null = null;
    if (existsSync(this.previous)) {
      try {
        previous = parse(readOwnFile(this.previous));
      } catch {
        previous = null;
      }
    }
    // A missing main file with a good copy means a crash between the two renames: not corruption.
    if (mainError === undefined) return { state: previous, problem: null };
    return { state: previous, problem: new StateCorruptError(this.file, previous !== null, mainError) };
  }

  /** Writes `state`, keeping the file it replaces as {@link StateStore.previous}. Throws on I/O errors. */
  save(state: DaemonState): void {
    writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, previous: this.previous });
  }
}
