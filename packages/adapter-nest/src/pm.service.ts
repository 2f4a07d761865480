import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner, Reflector } from '@nestjs/core';
import {
  createHealth,
  type CheckDefinition,
  type CheckFunction,
  type CheckOptions,
  type Health,
  type HealthPaths,
  type Pressure,
} from '@pm/health';
import { acquireInstanceLock, type InstanceLock } from '@pm/lock';
import type { PmCheckMetadata } from './decorators.js';
import { isInstanceLock, pmModuleDefaults, type PmModuleOptions } from './options.js';
import { PM_CHECK, PM_INFO, PM_OPTIONS, PM_PATHS } from './tokens.js';

type InfoFunction = () => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * The module's one service: the health registry, the instance lock, and ways for other providers to
 * contribute checks and info. Inject it with `@Inject(PmService)` (see the README on why explicit).
 */
@Injectable()
export class PmService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  /** The `@pm/health` registry behind the health controller. */
  readonly health: Health;
  private readonly infos = new Set<InfoFunction>();
  private held: InstanceLock | undefined;
  /** Set by `takeOverLock()`: the caller (`serve()`) takes and releases the lock, not the module hooks. */
  private lockTakenOver = false;
  /** Nest versions without `HttpAdapterHost.listen$`: ready after bootstrap instead (the port binds right after). */
  private readyOnBootstrap = false;

  // Explicit tokens everywhere: esbuild (tsup, vitest) emits no decorator metadata, so Nest cannot
  // inject by type. @Inject(Token) keeps the build plain (no SWC) and works with any user build.
  constructor(
    @Inject(PM_OPTIONS) private readonly options: PmModuleOptions,
    @Inject(PM_PATHS) paths: HealthPaths,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    // The module's own `health.info`, if any, is the first contributor: its fields are merged with the
    // ones providers add (@PmInfo, addInfo), not dropped for them.
    const own = options.health?.info;
    if (typeof own === 'function') this.infos.add(own);
    // Anything else is passed on unchanged, so createHealth reports it (PM_HEALTH_INVALID_OPTIONS).
    const info = own === undefined || typeof own === 'function' ? () => this.collectInfo() : own;
    this.health = createHealth({ ...options.health, paths, info });
    if (isInstanceLock(options.lock)) this.held = options.lock;
  }

  /** The instance lock held (after init), or undefined with `lock: false`. */
  get lock(): InstanceLock | undefined {
    return this.held;
  }

  /** Load shedding given as `health.pressure`, if any (the module's guard sheds app routes with it). */
  get pressure(): Pressure | undefined {
    return this.options.health?.pressure;
  }

  /**
   * Registers a check (a function, or a built-in one such as `postgresCheck(pool)` from `PmChecks`);
   * returns a function that removes it. Same contract as `@pm/health` `addCheck`.
   */
  addCheck(name: string, check: CheckFunction | CheckDefinition, options?: CheckOptions): () => void {
    return this.health.addCheck(name, check, options);
  }

  /** Adds fields to the `/health` report (e.g. active agents); returns a function that removes it. */
  addInfo(info: InfoFunction): () => void {
    this.infos.add(info);
    return () => this.infos.delete(info);
  }

  /** Marks the app ready (`/readyz` 200). Needed only with `ready: 'manual'`. */
  setReady(): void {
    this.health.setReady();
  }

  /**
   * Hands the module's lock to code that runs the start-up sequence itself, as `serve()` does (through
   * `@pm/health`'s `startServing`): from then on `onModuleInit` does not take the lock and
   * `onApplicationShutdown` does not release it. `acquire(port)` takes it (per the module's `lock`
   * option; `lock.port` else `port` is recorded) and returns it; `release()` gives it up. Both are
   * idempotent, and safe even when init already took the lock.
   */
  takeOverLock(): { acquire(port: number | null): Promise<InstanceLock | undefined>; release(): Promise<void> } {
    this.lockTakenOver = true;
    return {
      acquire: async (port) => {
        await this.acquireLock(port);
        return this.held;
      },
      release: async () => this.held?.release(),
    };
  }

  /** PmModule is global, so Nest runs this before any other module's `onModuleInit`: the lock comes first. */
  async onModuleInit(): Promise<void> {
    if (!this.lockTakenOver) await this.acquireLock(null);
    this.discoverDecorated();
    if ((this.options.ready ?? pmModuleDefaults.ready) === 'listen') {
      // listen$ completes once the server listens; serve() also marks ready itself.
      const listen$ = (this.adapterHost as Partial<HttpAdapterHost>).listen$;
      if (listen$) listen$.subscribe({ complete: () => this.health.setReady() });
      else this.readyOnBootstrap = true;
    }
  }

  /** Runs after every module's `onModuleInit`: only used where `listen$` is missing. */
  onApplicationBootstrap(): void {
    if (this.readyOnBootstrap) this.health.setReady();
  }

  /** Readiness turns 503 as Nest starts closing (covers `app.close()` / `enableShutdownHooks` without `serve()`). */
  beforeApplicationShutdown(): void {
    this.health.setShuttingDown();
  }

  /** Global modules close last, so without `serve()` the lock still goes after the app's own providers. */
  async onApplicationShutdown(): Promise<void> {
    this.health.setShuttingDown();
    if (!this.lockTakenOver) await this.held?.release();
  }

  private async acquireLock(port: number | null): Promise<void> {
    const lock = this.options.lock ?? {};
    if (lock === false || this.held || isInstanceLock(lock)) return;
    this.held = await acquireInstanceLock({ ...lock, port: lock.port ?? port });
  }

  /** Every contributor's fields in one object; on a name clash the later contributor wins (`health.info` is first). */
  private async collectInfo(): Promise<Record<string, unknown>> {
    const parts = await Promise.all([...this.infos].map((info) => info()));
    return Object.assign({}, ...parts) as Record<string, unknown>;
  }

  private discoverDecorated(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      // Request-scoped and not-yet-built providers have no single instance to call.
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      for (const method of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const fn = instance[method] as (...args: unknown[]) => unknown;
        const check = this.reflector.get<PmCheckMetadata | undefined>(PM_CHECK, fn);
        if (check) {
          const { name, ...checkOptions } = check;
          this.addCheck(name, (signal) => fn.call(instance, signal), checkOptions);
        }
        if (this.reflector.get<boolean | undefined>(PM_INFO, fn)) this.addInfo(() => fn.call(instance) as Record<string, unknown>);
      }
    }
  }
}
