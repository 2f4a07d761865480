import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'consumer-test',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Installs from the registry into fresh projects: minutes, not seconds, on a cold cache.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
