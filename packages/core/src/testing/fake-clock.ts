import type { Clock } from "../clock.js";

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** A `Clock` for tests, plus the controls tests need. */
export interface FakeClock extends Clock {
  /** Moves time forward; timers that fall due resolve. */
  advance(ms: number): void;
  /** Every `sleep(ms)` ever requested, in order (including cancelled ones). */
  readonly sleeps: number[];
  /** How many sleeps are pending. */
  pending(): number;
}

/**
 * Virtual time. `sleep` never waits for real: once the event loop is idle (a `setImmediate` later), the
 * clock jumps to the earliest pending timer and fires it, like a test scheduler running timers when
 * nothing else can happen. So back-off waits take no real time, and a fetch that never answers meets
 * its timeout, while a fetch that answers (in microtasks) cancels its timeout before it fires.
 * With `autoAdvance: false`, only `advance()` moves time (for tests that hold a request open).
 */
export function createFakeClock(start = 0, options: { autoAdvance?: boolean } = {}): FakeClock {
  const { autoAdvance = true } = options;
  let now = start;
  let seq = 0;
  let pumpQueued = false;
  const timers: Timer[] = [];
  const sleeps: number[] = [];

  const fireDue = () => {
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    while (timers[0] && timers[0].at <= now) timers.shift()?.resolve();
  };

  const pump = () => {
    pumpQueued = false;
    // Two idle turns: let microtasks and nextTicks of the code under test drain first.
    setImmediate(() => {
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = timers[0];
      if (!next) return;
      now = Math.max(now, next.at);
      fireDue();
      queuePump();
    });
  };

  const queuePump = () => {
    if (pumpQueued || !autoAdvance) return;
    pumpQueued = true;
    setImmediate(pump);
  };

  return {
    sleeps,
    now: () => now,
    sleep(ms, signal) {
      sleeps.push(ms);
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const timer: Timer = {
          at: now + Math.max(0, ms),
          seq: seq++,
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          timers.splice(timers.indexOf(timer), 1);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        timers.push(timer);
        queuePump();
      });
    },
    advance(ms) {
      now += ms;
      fireDue();
    },
    pending: () => timers.length,
  };
}

/** Lets every pending microtask, callback and virtual timer run. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
