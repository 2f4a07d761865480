import { fileURLToPath } from 'node:url';
import { exampleAppSmokeSuite } from '../../../packages/test-utils/src/index.js';

// Runs the built example exactly as a user would: `node dist/main.js` (package.json `main`).
exampleAppSmokeSuite({ name: 'nest-app', main: fileURLToPath(new URL('../dist/main.js', import.meta.url)) });
