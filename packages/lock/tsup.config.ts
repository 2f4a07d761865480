import { definePackageBuild } from '../../tsup.base.js';

export default definePackageBuild({
  entry: { index: 'src/index.ts', 'redis/index': 'src/redis/index.ts', 'postgres/index': 'src/postgres/index.ts' },
  // Shared modules (errors, record) go to one chunk, so an error thrown by a backend subpath is an
  // instance of the class exported by the main entry.
  splitting: true,
});
