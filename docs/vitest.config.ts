import { defineProject } from 'vitest/config';

export default defineProject({
  // The site test builds the whole docs site (TypeDoc + VitePress): minutes on a busy 2-core machine.
  test: { name: 'docs', include: ['test/**/*.test.ts'], testTimeout: 600_000 },
});
