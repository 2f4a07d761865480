import { definePackageBuild } from '../../tsup.base.js';

// An app, not a library: one ESM entry that `node dist/main.js` runs, no type declarations.
export default definePackageBuild({ entry: ['src/main.ts'], format: ['esm'], dts: false });
