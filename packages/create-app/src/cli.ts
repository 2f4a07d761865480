#!/usr/bin/env node
// `npm init @pm/app <folder> [--template name] [--port N]` (also `pnpm create @pm/app`, `npx @pm/create-app`).
import { parseArgs } from 'node:util';
import { scaffold, ScaffoldError } from './scaffold.js';
import { templates } from './templates.js';

const usage = `Usage: npm init @pm/app <folder> [--template <name>] [--port <n>]

Templates:
${templates.map((t) => `  ${t.name.padEnd(14)}${t.description}`).join('\n')}
`;

try {
  const { values, positionals } = parseArgs({
    options: { template: { type: 'string', short: 't' }, port: { type: 'string', short: 'p' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(usage);
  } else if (positionals.length !== 1) {
    process.stderr.write(`Name the folder to create (one argument).\n\n${usage}`);
    process.exitCode = 2;
  } else {
    const port = values.port === undefined ? undefined : Number(values.port);
    const { dir, name, template } = scaffold({ dir: positionals[0]!, template: values.template, port });
    process.stdout.write(
      `Created ${name} (${template.name}) in ${dir}\n\n  cd ${positionals[0]}\n  npm install\n  npm start          # or: npx pm run\n`,
    );
  }
} catch (error) {
  if (!(error instanceof ScaffoldError) && (error as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw error;
  process.stderr.write(`${(error as Error).message}\n\n${usage}`);
  process.exitCode = 2;
}
