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

/** setTimeout's limit: a longer delay overflows and fires after 1 ms (Node warns; browsers do not). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock: `Date.now()` and a `setTimeout` that an `AbortSignal` cancels at once. A wait longer
 * than setTimeout's limit (about 24.8 days) is chained over several timers instead of firing at once.
 *
 * @example
 * await systemClock.sleep(250, AbortSignal.timeout(1000));
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    if (ms > MAX_TIMER_MS) {
      return systemClock.sleep(MAX_TIMER_MS, signal).then(() => systemClock.sleep(ms - MAX_TIMER_MS, signal));
    }
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
