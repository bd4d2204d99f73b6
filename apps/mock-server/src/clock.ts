/**
 * The source of time the emulator runs on. The same shape as `Clock` in `@psapi/auth`, so one fake
 * clock can drive a client and an in-process emulator together.
 */
export interface EmulatorClock {
  /** Milliseconds since the Unix epoch, like `Date.now()`. */
  now(): number;
  /** Resolves after `ms` milliseconds; rejects with `signal.reason` as soon as the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `Date.now()` and an abortable `setTimeout`.
 *
 * @example
 * createEmulator({ clock: systemClock });
 */
export const systemClock: EmulatorClock = {
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

/**
 * Emulator time: the injected clock plus an offset that `POST /__emulator/clock/advance` grows, so
 * tokens, signed URLs, rate-limit windows and jobs can be moved forward without waiting.
 */
export class EmulatorTime {
  readonly #clock: EmulatorClock;
  #offsetMs = 0;

  constructor(clock: EmulatorClock) {
    this.#clock = clock;
  }

  /** Current emulator time in epoch milliseconds. */
  now(): number {
    return this.#clock.now() + this.#offsetMs;
  }

  /** Moves emulator time forward by `ms` (never backward). */
  advance(ms: number): void {
    this.#offsetMs += Math.max(0, ms);
  }

  /** Waits `ms` of the underlying clock (latency faults, job wake-ups). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.#clock.sleep(ms, signal);
  }

  /** Forgets every advance (part of `POST /__emulator/reset`). */
  reset(): void {
    this.#offsetMs = 0;
  }
}
