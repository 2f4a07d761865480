/**
 * The one transition of an app in progress (ending a run, and what follows it): {@link current} is
 * set before the work begins and cleared only once it is done, so whoever awaits it sees its outcome.
 */
export class Transitions {
  /** The transition in progress, or null. */
  current: Promise<void> | null = null;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Runs `work` as the transition in progress; a failure is reported to `onError`, never thrown. */
  run(work: () => Promise<unknown>): Promise<void> {
    const done: Promise<void> = Promise.resolve()
      .then(work)
      .then(() => undefined, this.onError)
      .finally(() => {
        if (this.current === done) this.current = null;
      });
    this.current = done;
    return done;
  }
}
