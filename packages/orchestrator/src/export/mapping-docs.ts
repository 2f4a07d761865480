import { exporters } from './registry.js';
import type { ExportTarget } from './types.js';

const cell = (text: string): string => text.replaceAll('|', '\\|');

/**
 * The markdown mapping table of a target, generated from the same rows the exporter uses; the guides
 * under docs/guides/export-<target>.md carry it between `<!-- mapping:<target> -->` and `<!-- /mapping -->`.
 */
export function mappingTable(target: ExportTarget): string {
  const rows = exporters[target].mapping.map(
    (row) => `| \`${row.key}\` | ${row.field === null ? '— (no equivalent)' : `\`${cell(row.field)}\``} | ${cell(row.note)} |`,
  );
  return [`| pm key (under \`apps[]\`) | ${target} | how |`, '|---|---|---|', ...rows].join('\n');
}

/** `text` with the mapping section of `target` replaced by {@link mappingTable}; throws when the markers are missing. */
export function withMappingTable(text: string, target: ExportTarget): string {
  const open = `<!-- mapping:${target} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf('<!-- /mapping -->', start);
  if (start === -1 || end === -1) throw new Error(`no ${open} … <!-- /mapping --> section`);
  return `${text.slice(0, start + open.length)}\n${mappingTable(target)}\n${text.slice(end)}`;
}
