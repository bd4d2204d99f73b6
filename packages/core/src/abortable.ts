/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as the signal aborts (at once if it
 * already has), whether or not the work behind `promise` notices the signal. The work itself goes
 * on; use this where it is shared (a token renewal) or may ignore the signal (an injected `fetch`).
 *
 * @param promise The work to wait for.
 * @param signal Ends the wait; `undefined` waits for `promise` alone.
 * @example
 * const token = await abortable(renewal, request.signal);
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
