import { connect } from 'node:net';
import { assertNoProblems, commonProblems, definition, since, type BuiltInCheckOptions } from './define.js';
import { withDetails } from './details.js';
import type { CheckDefinition } from '../health/options.js';

/** Options of `tcpCheck`. */
export type TcpCheckOptions = BuiltInCheckOptions;

/**
 * Checks that a TCP port accepts connections (a message broker, an SMTP relay, anything without a
 * health URL): connects, then closes at once. Reports `latencyMs` (time to connect).
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) for an empty host, a port outside 1-65535 or a wrong option
 */
export function tcpCheck(host: string, port: number, options: TcpCheckOptions = {}): CheckDefinition {
  const problems = commonProblems(options, []);
  if (typeof host !== 'string' || host === '') problems.unshift(`host must be a non-empty string (got ${JSON.stringify(host)})`);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    problems.unshift(`port must be a whole number from 1 to 65535 (got ${JSON.stringify(port)})`);
  assertNoProblems('tcpCheck', problems);

  const check = (signal: AbortSignal) =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      const socket = connect({ host, port });
      const onAbort = () => {
        socket.destroy();
        reject(new Error(`${host}:${port} did not accept in time`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve(withDetails({}, { latencyMs: since(start) }));
      });
      socket.once('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(withDetails(error, { latencyMs: since(start) }));
      });
    });
  return definition(options, check);
}
