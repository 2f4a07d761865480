import { isObject } from '@pm/kernel/guards';
import type { StartServingOptions } from './start-serving.js';

/** Every problem with `startServing` options (empty when they are fine). */
export function servingProblems(options: StartServingOptions): string[] {
  if (!isObject(options)) return ['options must be an object'];
  const problems: string[] = [];
  const { server, port, host, listen, lock, health, ready, markReady, shutdown } = options as unknown as Record<string, unknown>;
  if (!isObject(server) || typeof server.listen !== 'function' || typeof server.address !== 'function')
    problems.push('server must be a node:net / node:http server');
  if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535)
    problems.push(`port must be an integer from 0 to 65535 (got ${JSON.stringify(port)})`);
  if (host !== undefined && (typeof host !== 'string' || host === '')) problems.push('host must be a non-empty string');
  for (const [key, value] of Object.entries({ listen, lock, ready }))
    if (value !== undefined && typeof value !== 'function') problems.push(`${key} must be a function`);
  if (!isObject(health) || typeof health.setReady !== 'function') problems.push('health must be a createHealth() registry');
  if (markReady !== undefined && typeof markReady !== 'boolean') problems.push('markReady must be a boolean');
  if (shutdown !== undefined && !isObject(shutdown)) problems.push('shutdown must be createShutdown options');
  for (const key of ['servers', 'health', 'lock'])
    if (isObject(shutdown) && key in shutdown) problems.push(`shutdown.${key} is wired in by startServing(); remove it`);
  return problems;
}
