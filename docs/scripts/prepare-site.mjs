// Lays out the docs site's source in docs/.site/ (gitignored): the repository's markdown mirrored with its links
// rewritten to pages, the committed screenshots, and the API reference TypeDoc writes from the packages' TSDoc.
// `vitepress dev` / `vitepress build` then read docs/.site/ (see .vitepress/config.mts). The package scripts are named site:*
// rather than build/dev so that `turbo run build` (the packages' builds) does not build the site too.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application } from 'typedoc';
import { rewriteLinks, sourceFilePage } from './rewrite-links.mjs';
import { sitePath, siteSources } from './site-sources.mjs';

const docsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(docsDir, '..');
const out = join(docsDir, '.site');

/** Copies the repository's markdown into the site, links rewritten, plus the files those links need. */
function mirrorMarkdown() {
  const sources = siteSources(root);
  const site = { root, pages: new Set(sources), extraFiles: new Map() };
  for (const repoPath of sources) {
    const text = rewriteLinks(readFileSync(join(root, repoPath), 'utf8'), repoPath, site);
    write(sitePath(repoPath), text);
  }
  for (const [repoPath, how] of site.extraFiles) {
    if (how === 'copy') copy(repoPath, repoPath);
    else write(`${repoPath}.md`, sourceFilePage(root, repoPath));
  }
  if (existsSync(join(docsDir, 'screenshots'))) copy('docs/screenshots', 'docs/screenshots');
  return sources.length;
}

/** Writes the API reference (markdown for VitePress) with TypeDoc; warnings (undocumented exports, broken links) fail. */
async function writeApiReference() {
  const app = await Application.bootstrapWithPlugins({ options: join(docsDir, 'typedoc', 'typedoc.json') });
  const project = await app.convert();
  if (!project) throw new Error('TypeDoc could not convert the packages (see the errors above).');
  app.validate(project);
  if (app.logger.hasErrors() || app.logger.hasWarnings()) {
    throw new Error('TypeDoc reported problems (above): every exported name needs TSDoc and every {@link} must resolve.');
  }
  await app.generateOutputs(project);
}

function write(sitePathName, text) {
  mkdirSync(dirname(join(out, sitePathName)), { recursive: true });
  writeFileSync(join(out, sitePathName), text);
}

function copy(from, to) {
  cpSync(join(root, from), join(out, to), { recursive: true });
}

const started = Date.now();
rmSync(out, { recursive: true, force: true });
const pages = mirrorMarkdown();
await writeApiReference();
console.log(`docs/.site ready: ${pages} pages from the repository's markdown + the API reference (${Date.now() - started} ms)`);
