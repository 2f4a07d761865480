/** What every command gets: parsed values, positionals, and where to write. */
export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Path of the script that runs this CLI (to start the daemon with). */
  cliScript: string;
}
