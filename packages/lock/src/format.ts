import { checkPidCommand, type InstanceAlreadyRunningError } from './errors.js';

/** Options of {@link formatInstanceRunningMessage}. */
export interface FormatInstanceRunningOptions {
  /** Title inside the box. @default `<name> instance already running` */
  title?: string;
  /** Path of the holder's health endpoint, appended to `http://localhost:<port>`. @default '/health' */
  healthPath?: string;
  /** Command that starts the app again, shown after the force-restart kill. @default none */
  restartCommand?: string;
}

const WIDTH = 59;

/**
 * The boxed console message an app prints before exiting when another copy holds its lock:
 * PID, start time, port, how to stop it, and its health URL when a port is known.
 * Exiting is the app's choice; this only formats.
 */
export function formatInstanceRunningMessage(error: InstanceAlreadyRunningError, options: FormatInstanceRunningOptions = {}): string {
  const holder = error.lock;
  const name = holder?.name || 'App';
  const title = options.title ?? `${name} instance already running`;
  const inner = `  ${title}`.padEnd(WIDTH);
  const lines = ['', `╔${'═'.repeat(WIDTH)}╗`, `║${inner}║`, `╚${'═'.repeat(WIDTH)}╝`, ''];
  if (!holder) {
    lines.push(`  ${error.message}`, `  Lock:       ${error.location}`, '');
    return lines.join('\n');
  }
  lines.push(
    `  PID:        ${holder.pid}${holder.hostname !== 'unknown' ? ` (on ${holder.hostname})` : ''}`,
    `  Started:    ${holder.startedAt}`,
    `  Port:       ${holder.port ?? 'none recorded'}`,
    `  Lock:       ${error.location}`,
    '',
  );
  if (!error.holderVerified) {
    // Never suggest killing a PID the lock could not tie to its holder (it may be anyone's process).
    lines.push(
      '  This PID could not be verified as the holder. Check it before stopping anything:',
      `    ${checkPidCommand(holder.pid)}`,
      '',
    );
    return lines.join('\n');
  }
  lines.push(
    '  To stop the existing instance:',
    `    kill ${holder.pid}`,
    '',
    '  To force restart:',
    `    kill -9 ${holder.pid}${options.restartCommand ? ` && ${options.restartCommand}` : ''}`,
  );
  if (holder.port != null) {
    lines.push('', '  Health check:', `    curl http://localhost:${holder.port}${options.healthPath ?? '/health'}`);
  }
  lines.push('');
  return lines.join('\n');
}
