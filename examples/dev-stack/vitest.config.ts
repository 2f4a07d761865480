import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'example-dev-stack', include: ['test/**/*.test.ts'], testTimeout: 120_000 },
});
