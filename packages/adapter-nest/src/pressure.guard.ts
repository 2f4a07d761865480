import { Inject, Injectable, ServiceUnavailableException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PmService } from './pm.service.js';
import { PM_CONTROLLER } from './tokens.js';

/**
 * Sheds app routes while `health.pressure` (from `underPressure()`) is over a limit: 503 with
 * `Retry-After`, as `@pm/health`'s handler does for the routes it passes to `next`. The probes are
 * never shed (`/readyz` reports the pressure itself). A guard, not a middleware: it knows which
 * controller a request reached, whatever the global prefix or versioning.
 */
@Injectable()
export class PmPressureGuard implements CanActivate {
  constructor(
    @Inject(PmService) private readonly pm: PmService,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const pressure = this.pm.pressure;
    if (
      !pressure?.overLimit ||
      context.getType() !== 'http' ||
      this.reflector.get<boolean | undefined>(PM_CONTROLLER, context.getClass()) === true
    )
      return true;
    const res = context
      .switchToHttp()
      .getResponse<{ header?: (k: string, v: string) => void; setHeader?: (k: string, v: string) => void }>();
    // Express's response and Fastify's reply name the setter differently.
    if (typeof res.setHeader === 'function') res.setHeader('retry-after', String(pressure.retryAfter));
    else res.header?.('retry-after', String(pressure.retryAfter));
    throw new ServiceUnavailableException({ error: 'Service Unavailable', reason: 'under pressure' });
  }
}
