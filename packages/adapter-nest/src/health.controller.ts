import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Inject, Req, Res, SetMetadata, type Type } from '@nestjs/common';
import type { HealthPaths } from '@pm/health';
import { PmService } from './pm.service.js';
import { PM_CONTROLLER } from './tokens.js';

/** Node's request and response under a platform's wrappers (Express: themselves; Fastify: `.raw`). */
const raw = <T>(value: T | { raw: T }): T => (value as { raw?: T }).raw ?? (value as T);

/**
 * One controller class per module definition, since Nest routes are fixed by decorators. Each route
 * hands the request to @pm/health's node handler with the registry's own path as the URL: Nest's
 * global prefix or versioning may have changed what `req.url` says, and the handler matches on it.
 * (An @pm/health API answering one probe by kind would make this re-addressing unnecessary.)
 */
export function createHealthController(paths: Required<HealthPaths>): Type<unknown> {
  @Controller()
  @SetMetadata(PM_CONTROLLER, true)
  class PmHealthController {
    constructor(@Inject(PmService) private readonly pm: PmService) {}

    private answer(path: string, req: IncomingMessage, res: ServerResponse): void {
      const request = Object.create(raw(req), { url: { value: path } }) as IncomingMessage;
      this.pm.health.handler(request, raw(res));
    }

    @Get(paths.health)
    health(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
      this.answer(paths.health, req, res);
    }

    @Get(paths.live)
    live(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
      this.answer(paths.live, req, res);
    }

    @Get(paths.ready)
    ready(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
      this.answer(paths.ready, req, res);
    }
  }
  return PmHealthController;
}
