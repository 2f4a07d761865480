import { defineConfig } from 'tsup';

// An app, not a library: one ESM entry that `node dist/main.js` runs. Self-contained (no import from the
// repo) so a copied template builds as is; `npm start` builds first (prestart).
export default defineConfig({ entry: ['src/main.ts'], format: ['esm'], target: 'node20', platform: 'node', sourcemap: true, clean: true });
