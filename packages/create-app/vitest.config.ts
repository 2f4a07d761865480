import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'create-app', include: ['test/**/*.test.ts'] },
});
