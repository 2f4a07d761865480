import { fileURLToPath } from 'node:url';
import { exampleAppSmokeSuite } from '../../../packages/test-utils/src/index.js';

// Runs the app exactly as `npm start` does: `node ./bin/www`, CommonJS, Express 4, no build step.
exampleAppSmokeSuite({ name: 'express-cjs', main: fileURLToPath(new URL('../bin/www', import.meta.url)) });
