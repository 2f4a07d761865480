import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { createHealth, type HealthPaths } from '@pm/health';
import { createHealthController } from './health.controller.js';
import {
  checkModuleOptions,
  pmModuleDefaults,
  type PmModuleAsyncOptions,
  type PmModuleOptions,
  type PmModuleRootOptions,
} from './options.js';
import { PmChecks } from './pm-checks.js';
import { PmPressureGuard } from './pressure.guard.js';
import { PmService } from './pm.service.js';
import { PM_OPTIONS, PM_PATHS } from './tokens.js';
import { InvalidPmOptionsError } from './errors.js';

/** Resolves and validates the controller paths now: routes are fixed when the module is defined. */
function resolvePaths(where: string, paths: HealthPaths | undefined): Required<HealthPaths> {
  if (paths !== undefined && (typeof paths !== 'object' || paths === null))
    throw new InvalidPmOptionsError(where, ['paths must be an object']);
  const resolved = { ...pmModuleDefaults.paths, ...paths };
  // @pm/health validates paths (throws PM_HEALTH_INVALID_OPTIONS with every problem). This registry is
  // thrown away, so it must not announce itself to the pm supervisor: only PmService's real one may.
  createHealth({ paths: resolved, announceToSupervisor: false });
  return resolved;
}

function define(paths: Required<HealthPaths>, options: Provider, imports: DynamicModule['imports'] = []): DynamicModule {
  return {
    module: PmModule,
    // Global: PmService is injectable everywhere, and Nest runs a global module's init hooks first
    // and its shutdown hooks last, which is the order a lock needs.
    global: true,
    imports: [DiscoveryModule, ...imports],
    controllers: [createHealthController(paths)],
    providers: [options, { provide: PM_PATHS, useValue: paths }, PmService, PmChecks, { provide: APP_GUARD, useClass: PmPressureGuard }],
    exports: [PmService, PmChecks],
  };
}

/**
 * Lock, health endpoints and graceful shutdown for a Nest app. Import once, in the root module;
 * then start the app with `serve(app, { port })` (or `app.listen()` plus `app.enableShutdownHooks()`).
 */
@Module({})
export class PmModule {
  /**
   * Registers the health controller, `PmService` and the lock with static options.
   * @throws InvalidPmOptionsError (`PM_NEST_INVALID_OPTIONS`) listing every problem with `options`
   */
  static forRoot(options: PmModuleRootOptions = {}): DynamicModule {
    const { paths, ...rest } = options;
    checkModuleOptions('PmModule.forRoot', rest);
    return define(resolvePaths('PmModule.forRoot', paths), { provide: PM_OPTIONS, useValue: rest });
  }

  /**
   * As `forRoot`, with options built by `useFactory` from injected providers (e.g. a `ConfigService`).
   * @throws InvalidPmOptionsError (`PM_NEST_INVALID_OPTIONS`) for wrong static options now, and from the factory's result at start-up
   */
  static forRootAsync(options: PmModuleAsyncOptions): DynamicModule {
    if (typeof options?.useFactory !== 'function')
      throw new InvalidPmOptionsError('PmModule.forRootAsync', ['useFactory must be a function returning PmModule options']);
    const factory = async (...args: never[]): Promise<PmModuleOptions> => {
      const resolved = await options.useFactory(...args);
      checkModuleOptions('PmModule.forRootAsync useFactory result', resolved);
      return resolved;
    };
    const provider: Provider = { provide: PM_OPTIONS, useFactory: factory, inject: (options.inject ?? []) as never[] };
    return define(resolvePaths('PmModule.forRootAsync', options.paths), provider, options.imports as DynamicModule['imports']);
  }
}
