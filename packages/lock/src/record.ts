import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isObject } from '@pm/kernel/guards';
import { bootId, processStartToken } from './process-info.js';

/**
 * The holder record stored (as JSON) in the lock: who holds the lock and how to reach it.
 */
export interface HolderRecord {
  /** Lock name (from the `name` option). */
  name: string;
  /** Holder's process id. */
  pid: number;
  /** Holder's host name. */
  hostname: string;
  /** Random UUID of this acquisition: tells one holder from a later one with the same PID. */
  instanceId: string;
  /** When the lock was acquired (ISO-8601). */
  startedAt: string;
  /** The port the holder serves on, or null. */
  port: number | null;
  /** Holder's Node.js version. */
  nodeVersion: string;
  /**
   * When the holder process started, to detect PID reuse: `proc:<clock ticks since boot>`
   * (Linux `/proc/<pid>/stat` field 22) or `ps:<ISO time>` elsewhere; null if unknown.
   */
  processStart: string | null;
  /** Linux boot id at acquisition, so a record from before a reboot is stale; null elsewhere. */
  bootId: string | null;
  /** User-supplied extra fields (the `metadata` option). */
  metadata: Record<string, unknown>;
}

// This process's start time never changes while it runs: read it once, not on every acquire.
let ownStart: Promise<string | null> | undefined;
const ownStartToken = (): Promise<string | null> => (ownStart ??= processStartToken(process.pid));

/** Builds this process's holder record. */
export async function createHolderRecord(input: {
  name: string;
  port: number | null;
  metadata: Record<string, unknown>;
}): Promise<HolderRecord> {
  return {
    name: input.name,
    pid: process.pid,
    hostname: hostname(),
    instanceId: randomUUID(),
    startedAt: new Date().toISOString(),
    port: input.port,
    nodeVersion: process.version,
    processStart: await ownStartToken(),
    bootId: bootId(),
    metadata: input.metadata,
  };
}

/** What a lock file held, as far as it could be understood. */
export type ParsedLockFile =
  | { kind: 'record'; record: HolderRecord }
  /** A bare PID (`12345\n`), as written by hand or by other tools. */
  | { kind: 'pid'; pid: number }
  /** Empty, truncated or not ours. */
  | { kind: 'junk'; reason: string };

/** Parses lock file content leniently: never throws. */
export function parseLockFile(text: string): ParsedLockFile {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'junk', reason: 'empty file' };
  if (/^\d+$/.test(trimmed)) {
    const pid = Number(trimmed);
    return Number.isSafeInteger(pid) && pid > 0 ? { kind: 'pid', pid } : { kind: 'junk', reason: 'invalid PID' };
  }
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return { kind: 'junk', reason: 'not JSON (truncated or foreign content)' };
  }
  const record = parseHolderRecord(value);
  return record ? { kind: 'record', record } : { kind: 'junk', reason: 'JSON without a valid "pid"' };
}

/**
 * Reads a holder record from an already-parsed JSON value (a lock file's, a Redis lease's or a
 * PostgreSQL row's), leniently: missing or mistyped fields get neutral values. Undefined when the
 * value is not an object with a positive integer `pid`. Never throws.
 */
export function parseHolderRecord(value: unknown): HolderRecord | undefined {
  if (!isObject(value) || !Number.isSafeInteger(value.pid) || (value.pid as number) <= 0) return undefined;
  const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  const strOrNull = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    name: str(value.name, ''),
    pid: value.pid as number,
    hostname: str(value.hostname, 'unknown'),
    instanceId: str(value.instanceId, ''),
    startedAt: str(value.startedAt, 'unknown time'),
    port: Number.isInteger(value.port) ? (value.port as number) : null,
    nodeVersion: str(value.nodeVersion, 'unknown'),
    processStart: strOrNull(value.processStart),
    bootId: strOrNull(value.bootId),
    metadata: isObject(value.metadata) ? value.metadata : {},
  };
}

/** Serialises a record the way it is stored in lock files (pretty, so humans can read `cat app.pid`). */
export const serializeRecord = (record: HolderRecord): string => `${JSON.stringify(record, null, 2)}\n`;
