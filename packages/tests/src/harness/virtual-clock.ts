import type { Clock } from "@psapi/auth";
import type { FetchLike } from "../conformance/recording-fetch.js";

/** One sleep that ran to its end, as a {@link VirtualClock} records it. */
interface ElapsedSleep {
  /** The view that slept: `"client"`, `"auth"`, `"emulator"`, … */
  readonly tag: string;
  readonly ms: number;
}

/** Options of {@link createVirtualClock}. */
export interface VirtualClockOptions {
  /** Virtual time at start, epoch ms. Default 2026-01-01T00:00:00Z. */
  start?: number;
  /**
   * Runs before every skip and holds time until it settles: work that takes real time outside any
   * request (the emulator's image jobs) finishes before a poller's interval is skipped. Default none.
   */
  quiesce?: () => Promise<unknown>;
}

/**
 * Time for a whole test: the client, auth and the emulator share it through tagged views, and it
 * only moves when nothing but time can make progress. Each view's `sleep` waits in virtual time;
 * the clock skips to the earliest pending wake-up once every request in flight (counted by
 * {@link VirtualClock.track}) is parked on a server-side sleep (a latency fault). So a back-off, a
 * poll interval or a token's lifetime costs no real waiting, while a request timeout (also a clock
 * sleep in `@psapi/client`) fires only when the server really is slower than it. Before a skip,
 * the optional `quiesce` hook lets work outside any request finish.
 */
export interface VirtualClock {
  /** Current virtual time, epoch ms. */
  now(): number;
  /**
   * A `Clock` whose sleeps are recorded under `tag`. `server: true` marks the emulator's view: a
   * request in flight while a server sleep is pending counts as parked on it.
   */
  view(tag: string, options?: { server?: boolean }): Clock;
  /** The sleeps that ran to their end, oldest first, optionally of one view only. */
  elapsed(tag?: string): number[];
  /** Wraps a fetch so that the clock knows what is in flight (until the body is fully read). */
  track(fetch: FetchLike): FetchLike;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly server: boolean;
  readonly wake: () => void;
}

/**
 * Builds a {@link VirtualClock}.
 *
 * @param options Start time and the quiesce hook.
 * @returns The clock.
 * @example
 * const clock = createVirtualClock();
 * const client = createPhotoshopClient({ auth, clock: clock.view("client"), fetch: clock.track(fetch) });
 */
export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  const { start = Date.UTC(2026, 0, 1), quiesce } = options;
  let now = start;
  let seq = 0;
  let inFlight = 0;
  let stepScheduled = false;
  const timers: Timer[] = [];
  const elapsed: ElapsedSleep[] = [];

  const earliest = () =>
    timers.reduce<Timer | undefined>(
      (best, timer) =>
        !best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq) ? timer : best,
      undefined,
    );
  const parkedOnServer = () => timers.filter((timer) => timer.server).length;
  const mayAdvance = () => timers.length > 0 && inFlight <= parkedOnServer();

  function wakeDue() {
    const due = timers.filter((timer) => timer.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const timer of due) {
      timers.splice(timers.indexOf(timer), 1);
      timer.wake();
    }
  }

  function schedule() {
    if (stepScheduled) return;
    stepScheduled = true;
    // A macrotask first, so that whatever the last wake-up set in motion gets to start its requests.
    setImmediate(async () => {
      if (!mayAdvance()) {
        stepScheduled = false;
        return;
      }
      // Failures are the quiesced party's to report (a closed emulator); time still moves on.
      await quiesce?.().catch(() => undefined);
      setImmediate(() => {
        stepScheduled = false;
        const target = earliest();
        if (target && mayAdvance()) {
          now = Math.max(now, target.at);
          wakeDue();
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
        if (signal?.aborted) return Promise.reject(signal.reason);
        const duration = Math.max(0, ms);
        return new Promise<void>((resolve, reject) => {
          const onAbort = () => {
            const index = timers.indexOf(timer);
            if (index >= 0) timers.splice(index, 1);
            reject(signal?.reason);
            schedule();
          };
          const timer: Timer = {
            // Whole milliseconds, as a real clock has: Date.now() is an integer whatever was asked.
            at: now + Math.ceil(duration),
            seq: seq++,
            server,
            wake: () => {
              signal?.removeEventListener("abort", onAbort);
              elapsed.push({ tag, ms: duration });
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

  function settle() {
    inFlight -= 1;
    schedule();
  }

  return {
    now: () => now,
    view,
    elapsed: (tag) =>
      elapsed.filter((sleep) => tag === undefined || sleep.tag === tag).map((sleep) => sleep.ms),
    track: (fetch) => async (input, init) => {
      inFlight += 1;
      let response: Response;
      try {
        response = await fetch(input, init);
      } catch (error) {
        settle();
        throw error;
      }
      // The exchange lasts until its body is read: a timeout must not fire while bytes still arrive.
      response
        .clone()
        .arrayBuffer()
        .then(
          () => settle(),
          () => settle(),
        );
      return response;
    },
  };
}
