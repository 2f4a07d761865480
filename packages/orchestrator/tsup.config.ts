import { definePackageBuild } from '../../tsup.base.js';

export default [
  definePackageBuild(),
  // The CLI is ESM only (bin/pm.js imports it) and split into chunks, so `pm status` loads only what it needs.
  definePackageBuild({ entry: ['src/cli.ts'], format: ['esm'], dts: false, clean: false, splitting: true }),
];
