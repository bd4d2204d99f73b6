import type { Clock } from "./clock.js";

/** What {@link startDeadline} returns. */
export interface Deadline {
  /**
   * Aborts with the parent's reason when the parent aborts, or with a `TimeoutError` when time is up:
   * once the parent is known not to be aborted, an aborted signal means the time ran out.
   */
  readonly signal: AbortSignal;
  /** Stops the timer and lets go of the parent; call it once the guarded work has ended. */
  dispose(): void;
}

/**
 * One `AbortController` for a piece of work that must end: it follows `parent` (the caller's signal)
 * and aborts after `ms` on `clock` (none when `ms` is undefined).
 * The timer is a cancellable `clock.sleep`, for the system clock and a test's fake alike, so the
 * path production takes is the one the tests exercise. A limit longer than `setTimeout` allows is
 * chained by the system clock's `sleep`, not cut short.
 *
 * @param clock Source of time.
 * @param ms Time allowed, or undefined for no limit.
 * @param parent The signal to follow, if any.
 * @param what The timeout's message, e.g. `timed out after 30000 ms`.
 * @throws the parent's reason when it has already aborted.
 * @example
 * const deadline = startDeadline(systemClock, 30_000, callerSignal, "timed out after 30000 ms");
 * try {
 *   return await abortable(work(deadline.signal), deadline.signal);
 * } finally {
 *   deadline.dispose();
 * }
 */
export function startDeadline(
  clock: Clock,
  ms: number | undefined,
  parent: AbortSignal | undefined,
  what: string,
): Deadline {
  parent?.throwIfAborted();
  const controller = new AbortController();
  const follow = () => controller.abort(parent?.reason);
  parent?.addEventListener("abort", follow);
  const expire = () => controller.abort(new DOMException(what, "TimeoutError"));
  let disarm = () => {};
  if (ms !== undefined) {
    const cancel = new AbortController();
    clock.sleep(ms, cancel.signal).then(expire, () => {}); // rejected: cancelled, the work ended first
    disarm = () => cancel.abort();
  }
  return {
    signal: controller.signal,
    dispose() {
      disarm();
      parent?.removeEventListener("abort", follow);
    },
  };
}
