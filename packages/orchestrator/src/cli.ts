// Entry of the `pm` bin: the only place that exits the process.
import { writeSync } from 'node:fs';
import { main } from './cli/main.js';

let settled = false;
// A command awaiting something that never settles (and holds no timer) lets Node exit with code 0 as if
// it had succeeded: report it as the failure it is.
process.on('exit', (code) => {
  if (settled || code !== 0) return;
  writeSync(2, 'pm: stopped before the command finished (an operation never settled); nothing was confirmed to have started.\n');
  process.exitCode = 1;
});

main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exit(code);
  },
  (error: unknown) => {
    settled = true;
    process.stderr.write(`pm: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
