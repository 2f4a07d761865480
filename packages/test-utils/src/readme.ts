/**
 * Rows of the markdown table between `<!-- marker -->` and the next `<!-- /… -->` in `readme`, as
 * option name (a backticked first cell) -> second cell. Throws when the marker is missing, so a
 * renamed section fails the README test instead of checking nothing.
 */
export function readmeTable(readme: string, marker: string): Map<string, string> {
  const start = readme.indexOf(`<!-- ${marker} -->`);
  if (start === -1) throw new Error(`README has no section marked <!-- ${marker} -->`);
  const rows = new Map<string, string>();
  for (const line of readme.slice(start, readme.indexOf('<!-- /', start)).split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`([\w.]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name) rows.set(name, cells[2] ?? '');
  }
  return rows;
}
