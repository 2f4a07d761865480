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
  if (target.startsWith('#')) return anchor(site, repoPath, target);
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
  return (link.startsWith('.') ? link : `./${link}`) + (hash && site.pages.has(page) ? anchor(site, page, hash) : hash);
}

// Anchors: the markdown is written for GitHub, whose heading ids differ from VitePress's ("#readiness-from-pmhealth-no-config"
// vs "#readiness-from-pm-health-no-config"). VitePress's dead-link check ignores anchors, so each one is looked up among the
// target page's headings here and rewritten to VitePress's id; one that names no heading fails the site build.
const headingCache = new Map();

function anchor(site, repoPath, hash) {
  if (!headingCache.has(repoPath)) {
    const text = readFileSync(join(site.root, repoPath), 'utf8').replace(/```[\s\S]*?```/g, '');
    const ids = new Map();
    for (const [, heading] of text.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
      const plain = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
      ids.set(githubSlug(plain), vitepressSlug(plain));
    }
    headingCache.set(repoPath, ids);
  }
  const id = headingCache.get(repoPath).get(decodeURIComponent(hash.slice(1)));
  if (id === undefined) throw new Error(`${repoPath} has no heading for the link anchor ${hash}: fix the link (or the heading).`);
  return `#${id}`;
}

/** GitHub's heading id (github-slugger): lower case, punctuation dropped, each space a hyphen. */
function githubSlug(text) {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** VitePress 1's heading id (its `slugify`, copied: VitePress does not export it). */
function vitepressSlug(text) {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036F]/g, '')
      // eslint-disable-next-line no-control-regex -- VitePress drops control characters from ids too
      .replace(/[\u0000-\u001f]/g, '')
      .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-+|-+$/g, '')
      .replace(/^(\d)/, '_$1')
      .toLowerCase()
  );
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
