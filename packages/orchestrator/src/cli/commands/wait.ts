import type { CommandContext } from '../context.js';

/** `pm wait <resource...> [--timeout S] [--interval MS]`, with wait-on semantics. */
export async function waitCommand(ctx: CommandContext): Promise<number> {
  if (ctx.positionals.length === 0) {
    ctx.stderr.write('pm wait needs at least one resource (http://…, tcp:host:port or a file). See pm wait --help.\n');
    return 2;
  }
  const timeout = Math.round(Number(ctx.values.timeout ?? 60) * 1000);
  const interval = Number(ctx.values.interval ?? 250);
  if (!(timeout > 0) || !Number.isInteger(interval) || interval <= 0) {
    ctx.stderr.write('--timeout takes a positive number of seconds and --interval a positive whole number of milliseconds.\n');
    return 2;
  }
  // wait-on answers a malformed tcp resource with a TypeError from its internals: say what is wrong instead.
  const badTcp = ctx.positionals.find((r) => r.startsWith('tcp:') && !/^tcp:(?:(?:\[[^\]]+\]|[^:]+):)?\d{1,5}$/.test(r));
  if (badTcp) {
    ctx.stderr.write(`pm wait: "${badTcp}" is not a tcp resource: write tcp:host:port or tcp:port.\n`);
    return 2;
  }
  const { default: waitOn } = await import('wait-on');
  const t0 = Date.now();
  const ticker = ctx.stderr.isTTY
    ? setInterval(() => ctx.stderr.write(`\rwaiting for ${ctx.positionals.join(', ')}… ${Math.round((Date.now() - t0) / 1000)}s`), 1000)
    : null;
  try {
    await waitOn({
      resources: ctx.positionals,
      timeout,
      interval,
      tcpTimeout: Math.min(1000, interval * 4),
      httpTimeout: Math.min(5000, timeout),
      window: 0,
    });
    if (ticker) ctx.stderr.write('\r\u001b[K');
    ctx.stdout.write('Services ready\n');
    return 0;
  } catch (error) {
    if (ticker) ctx.stderr.write('\r\u001b[K');
    const message = error instanceof Error ? error.message : String(error);
    // wait-on rejects with "Timed out waiting for: …"; anything else (a malformed resource) is the user's to fix, not a timeout.
    if (!/^Timed out/i.test(message)) {
      ctx.stderr.write(`pm wait: ${message}\n`);
      return 2;
    }
    ctx.stderr.write('Timeout waiting for services\n');
    return 1;
  } finally {
    if (ticker) clearInterval(ticker);
  }
}
