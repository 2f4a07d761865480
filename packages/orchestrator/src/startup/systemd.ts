import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Whether this machine can take a user unit, and if not, why (in words for the user). */
export type SystemdAvailability = { ok: true } | { ok: false; reason: string };

/**
 * Checks for a systemd user manager: the machine booted with systemd (`/run/systemd/system`, the test
 * sd_booted() uses) and `systemctl --user` answers.
 */
export function userSystemd(): SystemdAvailability {
  if (!existsSync('/run/systemd/system')) {
    return {
      ok: false,
      reason:
        'This machine does not run systemd (no /run/systemd/system), so pm startup cannot install a unit. ' +
        'Start the stack at boot another way (e.g. a cron @reboot line running `pm start`), or `pm export` to your init system.',
    };
  }
  const probe = spawnSync('systemctl', ['--user', 'show-environment'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : probe.stderr.trim();
    return {
      ok: false,
      reason: `systemd runs, but your user manager does not answer (systemctl --user: ${why}). Log in through a session that starts it (ssh or a desktop login, not su), then run pm startup again.`,
    };
  }
  return { ok: true };
}

/** Result of {@link runCommand}. */
export interface CommandRun {
  ok: boolean;
  output: string;
}

/** Runs a command without a shell and collects its output. */
export function runCommand(words: readonly string[]): CommandRun {
  const run = spawnSync(words[0]!, words.slice(1), { encoding: 'utf8' });
  return {
    ok: !run.error && run.status === 0,
    output: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? run.error.message : ''}`.trim(),
  };
}
