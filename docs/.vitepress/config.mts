// The docs site: the repository's markdown (mirrored into .site/ by scripts/prepare-site.mjs, links rewritten to pages)
// and the TypeDoc API reference. A dead link fails `vitepress build` (ignoreDeadLinks is left off on purpose).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';

// PM_DOCS_SRC points the same config at another source folder (the dead-link test builds a one-page site with it).
const site = process.env.PM_DOCS_SRC ?? join(dirname(fileURLToPath(import.meta.url)), '..', '.site');
const packages = ['lock', 'health', 'orchestrator', 'adapter-express', 'adapter-nest'];

/** The first `# heading` of a generated page, for its sidebar label. */
function titleOf(page: string): string {
  const path = join(site, `${page}.md`);
  const heading = existsSync(path) ? /^#\s+(.+)$/m.exec(readFileSync(path, 'utf8'))?.[1] : undefined;
  return heading?.replace(/`/g, '') ?? page;
}

function pagesIn(folder: string): DefaultTheme.SidebarItem[] {
  const dir = join(site, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md') && entry.name !== 'index.md')
    .map((entry) => `${folder}/${entry.name.slice(0, -3)}`)
    .sort()
    .map((page) => ({ text: titleOf(page), link: `/${page}` }));
}

function examples(): DefaultTheme.SidebarItem[] {
  const dir = join(site, 'examples');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .filter((name) => existsSync(join(dir, name, 'index.md')))
    .map((name) => ({ text: name, link: `/examples/${name}/` }));
}

function apiSidebar(): DefaultTheme.SidebarItem[] {
  const path = join(site, 'api', 'typedoc-sidebar.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as DefaultTheme.SidebarItem[]) : [];
}

export default defineConfig({
  title: 'pm toolkit',
  description: 'Single-instance locks, health endpoints, graceful shutdown and a supervisor for Node.js apps.',
  srcDir: site,
  cleanUrls: true,
  lastUpdated: false,
  outDir: process.env.PM_DOCS_OUT ?? join(dirname(fileURLToPath(import.meta.url)), 'dist'),
  themeConfig: {
    nav: [
      { text: 'Guides', link: '/docs/' },
      { text: 'Packages', link: '/packages/lock/' },
      { text: 'API', link: '/api/' },
      { text: 'Dashboard', link: '/docs/dashboard' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar() }],
      '/': [
        {
          text: 'Overview',
          items: [
            { text: 'pm toolkit', link: '/' },
            ...(existsSync(join(site, 'ARCHITECTURE.md')) ? [{ text: 'Architecture', link: '/ARCHITECTURE' }] : []),
          ],
        },
        { text: 'Guides', link: '/docs/', items: pagesIn('docs/guides') },
        {
          text: 'Packages',
          items: packages.map((name) => ({ text: `@pm/${name}`, link: `/packages/${name}/`, items: pagesIn(`packages/${name}/docs`) })),
        },
        { text: 'Examples', items: examples() },
        { text: 'More', items: pagesIn('docs') },
      ],
    },
    search: { provider: 'local' },
    outline: 'deep',
  },
});
