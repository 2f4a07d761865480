/** What a port-in-use message says about the holder (from @pm/lock's `describePortHolder`). */
export interface PortHolderHint {
  /** The holder described in words (`pid 42 (node server.js)`), or '' when unknown. */
  named: string | null | undefined;
  /** The holder's pid, when known: the message then says how to stop it. */
  pid: number | null | undefined;
}

/** The one message for `PM_PORT_IN_USE` from `serve()`: who holds the port and how to free it. */
export function portInUseMessage(port: number, holder: PortHolderHint): string {
  const who = holder.named ? ` by ${holder.named}` : '';
  const stop =
    holder.pid != null ? `Stop it with \`kill ${holder.pid}\`, or` : `Stop the process using it (\`lsof -iTCP:${port} -sTCP:LISTEN\`), or`;
  return `Port ${port} is already in use${who}. ${stop} set PORT to a free port.`;
}

/** True for the error `listen()` gives when the port is taken. */
export const isAddressInUse = (error: unknown): boolean => (error as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE';
