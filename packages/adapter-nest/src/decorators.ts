import { SetMetadata } from '@nestjs/common';
import type { CheckOptions } from '@pm/health';
import { PM_CHECK, PM_INFO } from './tokens.js';

/** What `@PmCheck()` records on a method. */
export interface PmCheckMetadata extends CheckOptions {
  name: string;
}

/**
 * Marks a provider method as a health check named `name`: it passes unless it throws, rejects or
 * returns `false`; it receives an `AbortSignal` aborted at its timeout. Found when the module inits.
 * @example `@PmCheck('db', { timeout: 500 }) ping(signal: AbortSignal) { return this.db.ping({ signal }); }`
 */
export const PmCheck = (name: string, options: CheckOptions = {}): MethodDecorator =>
  SetMetadata(PM_CHECK, { ...options, name } satisfies PmCheckMetadata);

/**
 * Marks a provider method whose returned object (may be async) is merged into the `/health` report,
 * e.g. `{ activeAgents: 2, databaseStatus: 'connected' }`.
 */
export const PmInfo = (): MethodDecorator => SetMetadata(PM_INFO, true);
