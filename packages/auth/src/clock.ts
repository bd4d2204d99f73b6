/**
 * The source of time for everything in psapi that waits or expires. Tests inject a fake one; the
 * default is the real wall clock and `setTimeout`.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, like `Date.now()`. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds. Rejects at once with `signal.reason` when the signal aborts,
   * before or during the wait.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `Date.now()` and a `setTimeout` that an `AbortSignal` cancels at once.
 *
 * @example
 * await systemClock.sleep(250, AbortSignal.timeout(1000));
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};
