import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PmOrchestratorError } from '../errors.js';
import type { CommandContext } from './context.js';
import { mainHelp, verbHelp } from './help.js';

type Options = NonNullable<ParseArgsConfig['options']>;
const common: Options = { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } };
const verbs: Record<string, { options: Options; load: () => Promise<(ctx: CommandContext) => Promise<number>> }> = {
  run: { options: {}, load: async () => (await import('./commands/run.js')).runCommand },
  start: { options: {}, load: async () => (await import('./commands/daemon-verbs.js')).startCommand },
  stop: { options: {}, load: async () => (await import('./commands/daemon-verbs.js')).stopCommand },
  restart: { options: {}, load: async () => (await import('./commands/daemon-verbs.js')).restartCommand },
  status: { options: { json: { type: 'boolean' } }, load: async () => (await import('./commands/status.js')).statusCommand },
  dashboard: { options: {}, load: async () => (await import('./commands/daemon-verbs.js')).dashboardCommand },
  // Its own chunk: only this verb loads Ink and React (`pm status` stays small).
  monit: { options: {}, load: async () => (await import('./commands/monit.js')).monitCommand },
  logs: {
    options: { follow: { type: 'boolean', short: 'f' }, lines: { type: 'string', short: 'n' } },
    load: async () => (await import('./commands/logs.js')).logsCommand,
  },
  wait: {
    options: { timeout: { type: 'string', short: 't' }, interval: { type: 'string', short: 'i' } },
    load: async () => (await import('./commands/wait.js')).waitCommand,
  },
  'free-port': { options: { kill: { type: 'boolean' } }, load: async () => (await import('./commands/free-port.js')).freePortCommand },
  export: {
    options: {
      output: { type: 'string', short: 'o' },
      app: { type: 'string', multiple: true },
      force: { type: 'boolean' },
      check: { type: 'boolean' },
      image: { type: 'string' },
      system: { type: 'boolean' },
    },
    load: async () => (await import('./commands/export.js')).exportCommand,
  },
  startup: { options: { print: { type: 'boolean' } }, load: async () => (await import('./commands/startup.js')).startupCommand },
  unstartup: { options: { print: { type: 'boolean' } }, load: async () => (await import('./commands/startup.js')).unstartupCommand },
  init: { options: { force: { type: 'boolean' } }, load: async () => (await import('./commands/init.js')).initCommand },
};

/** Options of {@link main}. */
export interface MainOptions {
  /** Script that runs this CLI, used to start the daemon. @default process.argv[1] */
  cliScript?: string;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

/** Runs the `pm` CLI with `argv` (without node and script) and resolves with the exit code. Never exits the process. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    stdout.write(`${mainHelp}\n`);
    return verb === undefined ? 2 : 0;
  }
  if (verb === '--version' || verb === '-v') {
    stdout.write('pm (@pm/orchestrator)\n');
    return 0;
  }
  if (verb === '__daemon') {
    const { values } = parseArgs({ args: rest, options: { config: { type: 'string' } } });
    const { runDaemon } = await import('../daemon/daemon.js');
    return runDaemon({ configFile: values.config! });
  }
  const spec = verbs[verb];
  if (!spec) {
    stderr.write(`Unknown command "${verb}".\n\n${mainHelp}\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...common, ...spec.options }, allowPositionals: true, strict: true });
  } catch (error) {
    stderr.write(`${(error as Error).message}\n\n${verbHelp[verb]}\n`);
    return 2;
  }
  if (parsed.values.help) {
    stdout.write(`${verbHelp[verb]}\n`);
    return 0;
  }
  try {
    const command = await spec.load();
    return await command({
      positionals: parsed.positionals,
      values: parsed.values as CommandContext['values'],
      stdout,
      stderr,
      cliScript: options.cliScript ?? process.argv[1]!,
    });
  } catch (error) {
    if (error instanceof PmOrchestratorError || (error as { code?: string }).code?.startsWith('PM_')) {
      stderr.write(`${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}
