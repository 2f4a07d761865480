import { defineConfig, type Options } from 'tsup';

/** The private shared kernel (packages/kernel): bundled into each package, code and types, never a dependency. */
const kernel = /^@pm\/kernel(\/|$)/;

/**
 * The one build config every package extends: ESM + CJS with type declarations,
 * Node 20 target, no bundling of dependencies except the private kernel.
 */
export function definePackageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: { resolve: [kernel] },
    noExternal: [kernel],
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    shims: true,
    ...overrides,
  });
}
