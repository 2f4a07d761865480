/**
 * Settles like `promise`, or rejects with `onTimeout()` after `ms`. The timer is unref'd and cleared,
 * so a pending command never keeps the process alive. (One promise and one timer per call: this runs
 * on every lock command, and Promise.race + finally cost a measurable share of a local round trip.)
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), Math.max(1, ms));
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
