import { type Clock, systemClock } from "./clock.js";

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
 * This runs for every request, so it costs one controller, one listener and one timer: the system
 * clock gets a bare `setTimeout`, any other clock (a test's fake) a cancellable `sleep`.
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
  if (ms !== undefined && clock === systemClock) {
    const timer = setTimeout(expire, Math.min(ms, 2 ** 31 - 1)); // setTimeout's limit (~24.8 days)
    disarm = () => clearTimeout(timer);
  } else if (ms !== undefined) {
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
