import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { PmModule, PmService, serve, type PmModuleOptions, type Served } from '@pm/adapter-nest';
import type { InstanceLock } from '@pm/lock';
import { describe, expectTypeOf, it } from 'vitest';

// Compile-time checks (run by `tsc --noEmit` over test/): the public types accept what users write.
describe('types', () => {
  it('serve() takes a Nest app and returns the started pieces', () => {
    expectTypeOf(serve).parameter(0).toEqualTypeOf<INestApplication>();
    expectTypeOf(serve).returns.resolves.toEqualTypeOf<Served>();
    expectTypeOf<Served['pm']>().toEqualTypeOf<PmService>();
  });

  it('lock accepts options, an acquired lock, or false', () => {
    expectTypeOf<{ name: 'x'; path: '/tmp/x.pid' }>().toMatchTypeOf<NonNullable<PmModuleOptions['lock']>>();
    expectTypeOf<InstanceLock>().toMatchTypeOf<NonNullable<PmModuleOptions['lock']>>();
    expectTypeOf<false>().toMatchTypeOf<NonNullable<PmModuleOptions['lock']>>();
  });

  it('forRootAsync factories may be async and take injected values', () => {
    expectTypeOf(PmModule.forRootAsync).toBeCallableWith({
      inject: ['CONFIG'],
      useFactory: async (_config: { path: string }) => ({ lock: false as const }),
    });
  });
});
