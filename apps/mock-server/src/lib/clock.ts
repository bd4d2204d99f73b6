import type { Clock } from "@psapi/core";

export { systemClock } from "@psapi/core";

/**
 * The source of time the emulator runs on: `Clock` from `@psapi/core`, so one fake clock can drive
 * a client and an in-process emulator together.
 */
export type EmulatorClock = Clock;

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
