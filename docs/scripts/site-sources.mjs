// Which markdown of the repository becomes the docs site, and where each page lands.
// The site mirrors the repository's own layout (packages/lock/README.md stays packages/lock/…), so every relative
// link the markdown already has keeps working unchanged; only a README becomes its folder's index page.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The published packages, in the order the site lists them. */
export const publishedPackages = ['lock', 'health', 'orchestrator', 'adapter-express', 'adapter-nest', 'create-app'];

/** Repository-relative paths of every markdown file the site publishes. */
export function siteSources(root) {
  const inFolder = (dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((name) => name.endsWith('.md'))
          .sort()
          .map((name) => `${dir}/${name}`)
      : [];
  const examples = readdirSync(join(root, 'examples'))
    .filter((name) => existsSync(join(root, 'examples', name, 'README.md')))
    .sort();
  return [
    'README.md',
    ...(existsSync(join(root, 'ARCHITECTURE.md')) ? ['ARCHITECTURE.md'] : []),
    ...inFolder('docs'),
    ...inFolder('docs/guides'),
    ...publishedPackages.flatMap((name) => [`packages/${name}/README.md`, ...inFolder(`packages/${name}/docs`)]),
    ...examples.map((name) => `examples/${name}/README.md`),
  ];
}

/** Where a repository markdown file lands in the site: a README is its folder's index page. */
export function sitePath(repoPath) {
  return repoPath.replace(/(^|\/)README\.md$/, '$1index.md');
}
