/** Help text of every verb; `pm <verb> --help` prints it. */
export const verbHelp: Record<string, string> = {
  run: `pm run [names...] [-c <file>]
  Runs the apps in the foreground with their output prefixed by name.
  Ctrl-C stops everything cleanly (a second Ctrl-C kills at once).`,
  start: `pm start [names...] [-c <file>]
  Starts the apps (default all) under the project's background daemon, starting the daemon if needed.
  Returns when all are ready (exit 0) or one failed to start (exit 1), and prints a status table.`,
  stop: `pm stop [name|all] [-c <file>]
  Stops the named app or all of them (default all), process trees included.
  Works even if the daemon crashed: it ends what the state file records.`,
  restart: `pm restart [name|all] [-c <file>]
  Restarts the named app or all, one at a time, each ready before the next.`,
  status: `pm status [--json] [-c <file>]
  Prints every app's status. --json prints an array of {name, status, pid, restarts, uptime, cpu, memory, port}.`,
  logs: `pm logs [name] [-f] [--lines N] [-c <file>]
  Prints the last N lines (default 20) of an app's log, or of every app's; -f follows new lines.`,
  wait: `pm wait <resource...> [--timeout S] [--interval MS]
  Waits for resources (http://…, https://…, tcp:host:port, or a file path).
  Prints "Services ready" and exits 0, or prints "Timeout waiting for services" to stderr and exits 1.
  --timeout in seconds (default 60), --interval in ms (default 250).`,
  'free-port': `pm free-port <port> [--kill]
  Shows the process listening on <port>; with --kill ends it (SIGTERM, then SIGKILL after 3 s).`,
  init: `pm init [--force]
  Reads the project (package.json start scripts and main, framework, @pm/health use) and writes a
  pm.config.mjs in the current folder that runs it as is.`,
  export: `pm export <systemd|compose|kubernetes|tmux|procfile|pm2> [-o dir] [--app name...] [--force] [--check] [-c <file>]
  Translates the config into the target's files: systemd units (default folder systemd/), compose.yaml,
  kubernetes.yaml, pm-tmux.sh, Procfile + .env, or ecosystem.config.cjs (default: the config's folder).
  Prints one line per setting the target cannot express (and still exits 0).
  Never overwrites a file with other content unless --force; writes nothing if any file is refused.
  --check writes nothing and exits 1 when the files on disk differ from what the config gives (for CI).
  --app limits the export to these apps (repeat, or a,b). --image sets the container image of compose
  and kubernetes (default node:<major>-slim; required when an app has a command). --system writes
  system units instead of user units.`,
  startup: `pm startup [--print] [-c <file>]
  Installs and enables a systemd user unit (~/.config/systemd/user/pm-<project>.service) that runs
  this project's stack (pm run) at boot, printing each command it runs. Needs no root. --print only
  prints the unit and the commands. On a machine without systemd it says so and exits 1.`,
  unstartup: `pm unstartup [--print] [-c <file>]
  Disables and removes the unit pm startup installed, printing each command it runs.`,
  monit: `pm monit [-c <file>]
  The running stack in the terminal: every app with its status and for how long, pid, restarts, and cpu
  and memory with sparklines of the samples taken since monit started (one a second); below, the live
  log of the selected app. Keys: up/down or j/k select, r restart, s stop, S or t start, q or Ctrl-C quit.
  Fits 80x24, works over SSH; NO_COLOR (or TERM=dumb) draws without any colour or inverse video.
  Needs a terminal and a running daemon (else it says so and exits 1).`,
  dashboard: `pm dashboard [-c <file>]
  Prints the URL of the running daemon's dashboard (127.0.0.1, with its access token).`,
};

/** Help of `pm` itself. */
export const mainHelp = `pm: run a stack of processes from one config, restart what crashes, leave no orphans.

Usage: pm <command> [options]

Commands:
  run [names]           run in the foreground, prefixed logs, Ctrl-C stops all
  start [names]         start under the background daemon; returns when ready
  stop [name|all]       stop apps (and their process trees)
  restart [name|all]    restart apps one at a time
  status [--json]       show apps
  logs [name] [-f]      show or follow logs
  wait <resource...>    wait for http/tcp/file resources
  free-port <port>      show (and --kill) what holds a port
  export <target>       write systemd, compose, kubernetes, tmux, procfile or pm2 files
  startup / unstartup   run this stack at boot under a systemd user unit (or remove it)
  init                  write a starter config
  monit                 watch apps, cpu/memory and logs in the terminal; restart/stop/start
  dashboard             print the dashboard URL

Options: -c, --config <file>   config file (default: pm.config.{ts,mts,mjs,js,cjs,json} or
                                ecosystem.config.{js,cjs}, searched from the current folder upwards)
         -h, --help            help of a command
Environment: PM_HOME (default <project>/.pm), NO_COLOR, FORCE_COLOR, PROCESS_MANAGER_DEBUG=true`;
