/**
 * The reason the run's signal aborts with when `--timeout` runs out: the whole command (token,
 * uploads, the job, the download) had that long.
 */
export class DeadlineExceededError extends Error {
  override readonly name = "DeadlineExceededError";
  /** The `--timeout` that ran out, in seconds. */
  readonly seconds: number;

  /** @param seconds - The `--timeout` that ran out. */
  constructor(seconds: number) {
    super(`gave up after ${seconds} s (--timeout ${seconds})`);
    this.seconds = seconds;
  }
}

/** The signal every request and wait of one `psapi` run takes. */
export interface RunSignal {
  /** Aborts on Ctrl-C/SIGTERM (the interrupt's reason) or when the deadline passes ({@link DeadlineExceededError}). */
  readonly signal: AbortSignal;
  /**
   * Starts the total deadline of the command: `--timeout` seconds from now. Called once the
   * options are parsed; a command without `--timeout` has no deadline, only Ctrl-C.
   */
  arm(seconds: number): void;
  /** Stops the deadline's timer and lets go of the interrupt signal. */
  dispose(): void;
}

/** The part of a clock the deadline needs; tests pass a fake. */
export interface TimerClock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const systemTimers: TimerClock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/**
 * One signal for a whole `psapi` run: it follows `interrupt` (Ctrl-C) and, once armed, aborts when
 * the command's `--timeout` passes. The session hands it to every command as `context.signal`, and
 * the target's `fetch` joins it to every request, so a command cannot make a call that outlives it.
 *
 * @param interrupt - Aborts on SIGINT/SIGTERM.
 * @param timers - `setTimeout`/`clearTimeout`; the real ones unless a test injects a clock.
 * @example
 * const run = createRunSignal(interruptSignal);
 * run.arm(5); // aborts with DeadlineExceededError 5 s from now
 */
export function createRunSignal(interrupt: AbortSignal, timers: TimerClock = systemTimers): RunSignal {
  const controller = new AbortController();
  const follow = () => controller.abort(interrupt.reason);
  if (interrupt.aborted) follow();
  else interrupt.addEventListener("abort", follow, { once: true });
  let timer: unknown;
  return {
    signal: controller.signal,
    arm(seconds) {
      if (timer !== undefined) timers.clearTimeout(timer);
      // setTimeout's limit is about 24.8 days; a longer --timeout is as good as none.
      const ms = Math.min(seconds * 1000, 2 ** 31 - 1);
      timer = timers.setTimeout(() => controller.abort(new DeadlineExceededError(seconds)), ms);
    },
    dispose() {
      if (timer !== undefined) timers.clearTimeout(timer);
      interrupt.removeEventListener("abort", follow);
    },
  };
}

/**
 * Settles with `work`, or gives up `graceMs` after `signal` aborts if `work` is still running:
 * every request listens to the signal and normally ends `work` at once (with a precise message),
 * but nothing may keep the process alive after Ctrl-C or the deadline, not even a call that
 * ignores its signal (a file system call that never returns, say).
 *
 * @param work - The command's promise.
 * @param signal - The run's signal.
 * @param graceMs - How long `work` has to unwind after the abort.
 * @throws The signal's reason when `work` did not end in time; otherwise what `work` throws.
 */
export function settleWithin<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const givenUp = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      timer = setTimeout(() => reject(signal.reason), graceMs);
      timer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([work, givenUp]).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  });
}
