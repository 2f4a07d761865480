import { definePackageBuild } from '../../tsup.base.js';

// The library (scaffold) and the CLI in one build; types for the library only.
export default definePackageBuild({ entry: ['src/index.ts', 'src/cli.ts'], dts: { entry: 'src/index.ts' } });
