import type { Clock } from "../clock.js";

/** Options of {@link createFakeClock}. */
export interface FakeClockOptions {
  /** Virtual time at start, epoch ms. Default 0. */
  readonly start?: number;
  /**
   * Let time run by itself: once nothing but time can make progress (the event loop is idle and
   * every request in flight, counted by {@link FakeClock.track}, is parked on a server sleep), the
   * clock jumps to the earliest pending sleep and wakes it. Default `false`: only
   * {@link FakeClock.advance} and {@link FakeClock.run} move time.
   */
  readonly autoAdvance?: boolean;
  /**
   * With `autoAdvance`, runs before every jump and holds time until it settles, so work that takes
   * real time outside any request (an emulator's image job) finishes before a poll interval is
   * skipped. A rejection is the quiesced party's to report; time moves on.
   */
  readonly quiesce?: () => Promise<unknown>;
  /** {@link FakeClock.run} rejects after this many wake-ups: a loop that never ends. Default 100 000. */
  readonly maxRunSteps?: number;
}

/**
 * A `Clock` in virtual time, plus the controls tests need. One clock can be shared by a client,
 * auth and an emulator through tagged {@link FakeClock.view views}.
 */
export interface FakeClock extends Clock {
  /** Every `sleep(ms)` ever asked of this clock or its views, in order, cancelled ones included. */
  readonly sleeps: readonly number[];
  /** The sleeps that ran to their end, oldest first; of one view only when `tag` is given. */
  elapsed(tag?: string): number[];
  /** How many sleeps are pending. */
  pending(): number;
  /**
   * Moves time forward by `ms`, waking due sleeps one at a time in order and letting the code they
   * resume run (and sleep again) before the next, then sets the time to now + `ms`.
   */
  advance(ms: number): Promise<void>;
  /**
   * Drives `promise` to its end by waking sleeps in due order; returns its outcome. Rejects when the
   * promise is pending and no sleep is left (a hang in real life).
   */
  run<T>(promise: Promise<T>): Promise<T>;
  /**
   * The same clock, with its completed sleeps recorded under `tag`. `server: true` marks an
   * emulator's view: a tracked request in flight while a server sleep is pending counts as parked
   * on it, so `autoAdvance` may move time.
   */
  view(tag: string, options?: { server?: boolean }): Clock;
  /**
   * Wraps a `fetch` so that the clock knows a request is in flight (until its body is fully read):
   * with `autoAdvance`, a timeout cannot fire while the server is still answering.
   */
  track<F extends (...args: never[]) => Promise<Response>>(fetch: F): F;
}

interface Timer {
  readonly at: number;
  readonly server: boolean;
  readonly wake: () => void;
}

/**
 * Lets pending promise callbacks, stream reads and `setImmediate` work run for `turns` turns of the
 * event loop.
 *
 * @param turns How many `setImmediate` turns; default 20.
 * @example
 * auth.getToken(); await flush(); expect(fetch).toHaveBeenCalledTimes(1);
 */
export async function flush(turns = 20): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Turns {@link FakeClock.advance} and {@link FakeClock.run} let the woken code run between wake-ups. */
const STEP_TURNS = 5;

/**
 * Builds a {@link FakeClock}: `sleep` never waits for real. Time moves when the test says so
 * (`advance`, `run`) or, with `autoAdvance`, whenever nothing but time can make progress.
 *
 * @param options Start time, auto-advance and its quiesce hook.
 * @returns The clock.
 * @example
 * const clock = createFakeClock();
 * const client = createPhotoshopClient({ auth, clock, fetch });
 * await clock.run(client.hello()); // back-offs and timeouts take no real time
 * @example
 * const clock = createFakeClock({ start: Date.UTC(2026, 0, 1), autoAdvance: true });
 * createPhotoshopClient({ auth, clock: clock.view("client"), fetch: clock.track(fetch) });
 */
export function createFakeClock(options: FakeClockOptions = {}): FakeClock {
  const { start = 0, autoAdvance = false, quiesce, maxRunSteps = 100_000 } = options;
  let now = start;
  let inFlight = 0;
  let stepScheduled = false;
  const timers: Timer[] = [];
  const sleeps: number[] = [];
  const completed: { readonly tag: string; readonly ms: number }[] = [];

  // `timers` is in the order the sleeps were asked, so of two due at once the first asked wins.
  const earliest = () =>
    timers.reduce<Timer | undefined>(
      (best, timer) => (!best || timer.at < best.at ? timer : best),
      undefined,
    );
  // A timer is removed once: by its wake-up (which unhooks the abort listener first) or its abort.
  const remove = (timer: Timer) => timers.splice(timers.indexOf(timer), 1);
  const wake = (timer: Timer) => {
    remove(timer);
    now = Math.max(now, timer.at);
    timer.wake();
  };
  const mayAdvance = () => timers.length > 0 && inFlight <= timers.filter((timer) => timer.server).length;

  function schedule() {
    if (!autoAdvance || stepScheduled) return;
    stepScheduled = true;
    // A macrotask first, so that whatever the last wake-up set in motion gets to start its requests.
    setImmediate(async () => {
      if (!mayAdvance()) {
        stepScheduled = false;
        return;
      }
      await quiesce?.().catch(() => undefined);
      setImmediate(() => {
        stepScheduled = false;
        // Checked again: during the quiesce a sleep may have been cancelled or a request started.
        if (mayAdvance()) {
          now = Math.max(now, (earliest() as Timer).at);
          // A stable sort: sleeps due at the same time wake in the order they were asked.
          const due = timers.filter((timer) => timer.at <= now).sort((a, b) => a.at - b.at);
          for (const timer of due) wake(timer);
        }
        schedule();
      });
    });
  }

  function view(tag: string, viewOptions: { server?: boolean } = {}): Clock {
    const server = viewOptions.server === true;
    return {
      now: () => now,
      sleep(ms, signal) {
        sleeps.push(ms);
        if (signal?.aborted) return Promise.reject(signal.reason);
        const duration = Math.max(0, ms);
        return new Promise<void>((resolve, reject) => {
          const onAbort = () => {
            remove(timer);
            reject(signal?.reason);
            schedule();
          };
          const timer: Timer = {
            // Whole milliseconds, as a real clock has: Date.now() is an integer whatever was asked.
            at: now + Math.ceil(duration),
            server,
            wake: () => {
              signal?.removeEventListener("abort", onAbort);
              completed.push({ tag, ms: duration });
              resolve();
            },
          };
          signal?.addEventListener("abort", onAbort, { once: true });
          timers.push(timer);
          schedule();
        });
      },
    };
  }

  const own = view("default");
  const settled = () => {
    inFlight -= 1;
    schedule();
  };

  return {
    now: own.now,
    sleep: own.sleep,
    sleeps,
    view,
    elapsed: (tag) =>
      completed.filter((sleep) => tag === undefined || sleep.tag === tag).map((sleep) => sleep.ms),
    pending: () => timers.length,
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        await flush(STEP_TURNS);
        const next = earliest();
        if (next === undefined || next.at > target) break;
        wake(next);
      }
      now = Math.max(now, target);
      await flush(STEP_TURNS);
    },
    async run(promise) {
      let done = false;
      const mark = () => {
        done = true;
      };
      promise.then(mark, mark);
      for (let step = 0; step < maxRunSteps; step++) {
        await flush(STEP_TURNS);
        if (done) return promise;
        const next = earliest();
        if (next === undefined)
          throw new Error("FakeClock: the promise is pending and no sleep is left (a hang)");
        wake(next);
      }
      throw new Error(`FakeClock: still pending after ${maxRunSteps} wake-ups (an endless loop)`);
    },
    track: <F extends (...args: never[]) => Promise<Response>>(fetch: F): F =>
      (async (...args: Parameters<F>) => {
        inFlight += 1;
        let response: Response;
        try {
          response = await fetch(...args);
        } catch (error) {
          settled();
          throw error;
        }
        // The exchange lasts until its body is read: a timeout must not fire while bytes still arrive.
        response.clone().arrayBuffer().then(settled, settled);
        return response;
      }) as F,
  };
}
