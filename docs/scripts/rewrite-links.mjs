// Relative links in the repository's markdown point at repository paths. In the site they must point at pages:
// a markdown file at its mirrored page, a folder at its README's page, any other file (a config, a script) at a
// generated page showing that file. A link to something that exists nowhere is left alone, so VitePress's
// dead-link check fails the build on it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, posix } from 'node:path';
import { sitePath } from './site-sources.mjs';

const external = /^(?:[a-z][a-z0-9+.-]*:|#|\/)/i;
const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.svg', '.gif', '.webp']);

/**
 * Rewrites the relative links of one page.
 * @param {string} text markdown
 * @param {string} repoPath the page's repository-relative path
 * @param {{ root: string, pages: Set<string>, extraFiles: Map<string, 'copy' | 'show'> }} site
 *   `pages`: repository paths published as pages; `extraFiles` collects the non-markdown files the links need.
 */
export function rewriteLinks(text, repoPath, site) {
  // Code blocks are shown as written, links and all.
  return text
    .split(/(```[\s\S]*?```)/g)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/(\]\()([^)\s]+)(\))/g, (_m, open, target, close) => open + rewrite(target, repoPath, site) + close),
    )
    .join('');
}

function rewrite(target, repoPath, site) {
  if (external.test(target)) return target;
  const [path, hash] = splitHash(target);
  const repoTarget = posix.normalize(posix.join(posix.dirname(repoPath), path));
  const absolute = join(site.root, repoTarget);
  let page;
  if (site.pages.has(repoTarget)) page = repoTarget;
  else if (existsSync(absolute) && statSync(absolute).isDirectory()) {
    if (site.pages.has(posix.join(repoTarget, 'README.md'))) page = posix.join(repoTarget, 'README.md');
  } else if (existsSync(absolute)) {
    if (imageExtensions.has(extname(repoTarget))) {
      site.extraFiles.set(repoTarget, 'copy');
      return target;
    }
    site.extraFiles.set(repoTarget, 'show');
    page = `${repoTarget}.md`;
  }
  if (!page) return target;
  const link = posix.relative(posix.dirname(sitePath(repoPath)), sitePath(page));
  return (link.startsWith('.') ? link : `./${link}`) + hash;
}

function splitHash(target) {
  const at = target.indexOf('#');
  return at === -1 ? [target, ''] : [target.slice(0, at), target.slice(at)];
}

/** A page that shows a source file the docs link to (a config, a script), in a code block. */
export function sourceFilePage(root, repoPath) {
  const text = readFileSync(join(root, repoPath), 'utf8');
  const language = extname(repoPath)
    .slice(1)
    .replace(/^[mc]js$/, 'js')
    .replace(/^[mc]ts$/, 'ts');
  const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `# ${posix.basename(repoPath)}\n\n\`${repoPath}\` in the repository:\n\n${fence}${language}\n${text}${text.endsWith('\n') ? '' : '\n'}${fence}\n`;
}
