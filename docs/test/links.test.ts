import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every relative link in the repository's markdown must point at a file or folder that exists:
// a link that drifts from the tree is a bug.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// templates/: create-app's build copy of examples/, whose links are checked at their source.
const skip = new Set(['node_modules', 'dist', '.git', '.turbo', '.pm', '.changeset', '.site', '.vitepress', 'templates']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (skip.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

describe('markdown links', () => {
  const files = markdownFiles(root).filter((f) => !relative(root, f).startsWith('bench/results'));

  it.each(files.map((f) => [relative(root, f), f]))('%s has no broken relative link', (_name, file) => {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    const broken = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^(https?:|mailto:|#)/.test(target))
      .map((target) => target.split('#')[0]!)
      .filter((target) => target && !existsSync(resolve(dirname(file), target)));
    expect(broken).toEqual([]);
  });
});
