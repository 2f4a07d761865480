import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHealth, type Health, type HealthOptions } from '@pm/health';
import { isHealth } from './options.js';

/** Express middleware answering the health paths and passing everything else to `next()`. */
export interface HealthMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void;
  /** The registry it serves: call `setReady()` on it, `addCheck()`, or hand it to `serve({ health })`. */
  readonly health: Health;
}

/**
 * Middleware serving `/health`, `/livez` and `/readyz` (configurable) on an existing Express 4 or 5
 * app. Mounted under a prefix (`app.use('/api', mw)`), it answers `/api/health`: Express strips the
 * prefix before calling it. Other paths and methods go to `next()`.
 * @param health a registry, or options for a new one (@default {})
 * @throws InvalidOptionsError (`PM_HEALTH_INVALID_OPTIONS`) from `@pm/health` when the options are wrong
 */
export function healthMiddleware(health: Health | HealthOptions = {}): HealthMiddleware {
  const registry = isHealth(health) ? health : createHealth(health);
  // @pm/health's handler is already a node-level middleware: Express's req/res extend node's.
  const middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => registry.handler(req, res, next);
  return Object.assign(middleware, { health: registry });
}
