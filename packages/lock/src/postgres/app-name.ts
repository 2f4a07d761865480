import type { HolderRecord } from '../record.js';

// The holder record squeezed into application_name, which PostgreSQL cuts at 63 bytes:
// "pm-lock <pid> :<port|-> <startedAt, whole seconds> <hostname, cut to fit>". Readable in
// pg_stat_activity, and parsed back for InstanceAlreadyRunningError.lock.

const MAX_BYTES = 63;
const FORMAT = /^pm-lock (\d+) :(\d+|-) (\S+) (.*)$/;

/** The application_name that names this holder. */
export function applicationNameOf(record: HolderRecord): string {
  const head = `pm-lock ${record.pid} :${record.port ?? '-'} ${record.startedAt.replace(/\.\d+Z$/, 'Z')} `;
  let host = record.hostname;
  while (Buffer.byteLength(head + host) > MAX_BYTES) host = host.slice(0, -1);
  return head + host;
}

/** The partial record an application_name carries (pid, host, start, port); undefined when it is not ours. */
export function recordFromApplicationName(text: unknown, name: string): HolderRecord | undefined {
  const match = typeof text === 'string' ? FORMAT.exec(text) : null;
  if (!match) return undefined;
  const [, pid, port, startedAt, hostname] = match as unknown as [string, string, string, string, string];
  return {
    name,
    pid: Number(pid),
    hostname: hostname || 'unknown',
    instanceId: '',
    startedAt,
    port: port === '-' ? null : Number(port),
    nodeVersion: 'unknown',
    processStart: null,
    bootId: null,
    metadata: {},
  };
}
