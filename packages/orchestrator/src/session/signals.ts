/**
 * Calls `handler` on each of `signals` until the returned disposer runs, which removes every listener
 * added here (a library never leaves process-wide handlers behind).
 */
export function onSignals(signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): () => void {
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
