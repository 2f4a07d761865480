// Copies the repo's examples that serve as templates into templates/ at build time, so the published
// package carries them and the repo keeps one copy (examples/ is what the tests run).
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const examples = new URL('../../../examples/', import.meta.url);
const out = fileURLToPath(new URL('../templates/', import.meta.url));
rmSync(out, { recursive: true, force: true });
for (const name of ['express-cjs']) {
  cpSync(fileURLToPath(new URL(name, examples)), `${out}${name}`, {
    recursive: true,
    filter: (source) => !/[\\/](node_modules|test|dist|data|vitest\.config\.m?ts)$/.test(source),
  });
}
