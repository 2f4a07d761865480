import type { InstanceLock } from '@pm/lock';
import type { RequestListener, Server } from 'node:http';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createHealth,
  postgresCheck,
  redisCheck,
  underPressure,
  type CheckDefinition,
  type Pressure,
  createShutdown,
  type Health,
  type HealthHandler,
  type HealthReport,
  type Logger,
  type ReleasableLock,
  type Shutdown,
  type ShutdownHealth,
  type ShutdownOptions,
  type ShutdownResult,
} from '../src/index.js';

// Checked by `tsc` (pnpm typecheck includes test/): the shapes users and adapters rely on.
describe('types', () => {
  it('factories return the documented interfaces', () => {
    expectTypeOf(createHealth).returns.toEqualTypeOf<Health>();
    expectTypeOf(createShutdown).returns.toEqualTypeOf<Shutdown>();
    expectTypeOf<Health['report']>().returns.resolves.toEqualTypeOf<HealthReport>();
    expectTypeOf<Shutdown['shutdown']>().returns.resolves.toEqualTypeOf<ShutdownResult>();
    expectTypeOf<Shutdown>().toMatchTypeOf<AsyncDisposable>();
  });

  it('the handler fits http.createServer and (req, res, next) middleware', () => {
    expectTypeOf<HealthHandler>().toMatchTypeOf<RequestListener>();
    expectTypeOf<HealthHandler>().parameter(2).toEqualTypeOf<((error?: unknown) => void) | undefined>();
  });

  it('an @pm/lock InstanceLock, a Health and a pino-like logger fit the structural options', () => {
    expectTypeOf<InstanceLock>().toMatchTypeOf<ReleasableLock>();
    expectTypeOf<Health>().toMatchTypeOf<ShutdownHealth>();
    expectTypeOf<{
      debug(o: object | string, m?: string): void;
      info(o: object | string, m?: string): void;
      warn(o: object | string, m?: string): void;
      error(o: object | string, m?: string): void;
      fatal(): void;
    }>().toMatchTypeOf<Logger>();
    expectTypeOf<Server>().toMatchTypeOf<NonNullable<ShutdownOptions['servers']>[number]>();
  });

  it('built-in checks are check definitions, and take drivers structurally', () => {
    expectTypeOf(postgresCheck).returns.toEqualTypeOf<CheckDefinition>();
    expectTypeOf(underPressure).returns.toEqualTypeOf<Pressure>();
    // A pg Pool's shape is enough (no pg types needed); so is an ioredis- or node-redis-like client.
    expectTypeOf<{ query(text: string): Promise<unknown> }>().toMatchTypeOf<Parameters<typeof postgresCheck>[0]>();
    expectTypeOf<{ status: string; ping(): Promise<string> }>().toMatchTypeOf<Parameters<typeof redisCheck>[0]>();
    expectTypeOf<{ isOpen: boolean; isReady: boolean; ping(): Promise<string> }>().toMatchTypeOf<Parameters<typeof redisCheck>[0]>();
  });
});
