// Rewrites the config reference table in README.md from the schema (src/config/schema.ts).
// Run: pnpm --filter @pm/orchestrator docs:config. test/readme.test.ts fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';

const jiti = createJiti(import.meta.url);
const { withConfigReference } = await jiti.import('../src/config/reference.ts');
const readme = fileURLToPath(new URL('../README.md', import.meta.url));
writeFileSync(readme, withConfigReference(readFileSync(readme, 'utf8')));
console.log('README.md config reference updated');
