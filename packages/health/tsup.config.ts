import { definePackageBuild } from '../../tsup.base.js';

export default definePackageBuild({ entry: { index: 'src/index.ts', 'metrics/index': 'src/metrics/index.ts' } });
