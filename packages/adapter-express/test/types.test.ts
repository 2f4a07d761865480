import { createRequire } from 'node:module';
import express from 'express';
import { healthMiddleware, serve, type RequestListener, type Served } from '@pm/adapter-express';
import { describe, expectTypeOf, it } from 'vitest';

// Compile-time checks (run by `tsc --noEmit` over test/): Express 5 apps (typed by @types/express)
// and plain listeners fit serve(), and the middleware fits app.use(), without casts.
// express4 is the npm alias of Express 4: no types of its own.
const express4 = createRequire(import.meta.url)('express4') as () => unknown;

describe('types', () => {
  it('an Express 5 app is a RequestListener; the middleware fits app.use', () => {
    const app = express();
    expectTypeOf(app).toMatchTypeOf<RequestListener>();
    expectTypeOf(serve).toBeCallableWith(app, { port: 0 });
    app.use(healthMiddleware());
    app.use('/api', healthMiddleware({ paths: { health: '/status' } }));
    expectTypeOf(serve).returns.resolves.toEqualTypeOf<Served>();
  });

  it('Express 4 (untyped alias) and plain listeners are accepted too', () => {
    expectTypeOf(serve).toBeCallableWith(express4() as RequestListener, {});
    expectTypeOf(serve).toBeCallableWith((_req, res) => res.end('ok'), { lock: false });
  });
});
