import { defineConfig, type Options } from 'tsup';

/**
 * The one build config every package extends: ESM + CJS with type declarations,
 * Node 20 target, no bundling of dependencies.
 */
export function definePackageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
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
