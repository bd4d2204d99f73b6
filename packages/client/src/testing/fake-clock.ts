import type { Clock } from "@psapi/auth";

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/** Lets pending promise callbacks, stream reads and `setImmediate` work run to quiescence. */
async function flush(): Promise<void> {
  for (let round = 0; round < 5; round++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A virtual clock for tests: `sleep` never waits for real; time moves only when the test runs the
 * next timer. `run(promise)` drives a promise to completion by firing timers in due order, and fails
 * loudly if the promise is stuck with no timer left (a hang in real life).
 */
export class FakeClock implements Clock {
  time = 0;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((other) => other !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Timers still waiting to fire. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Fires every timer due within `ms` from now, in order, then sets the time to now + `ms`. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await flush();
      const next = this.next();
      if (next === undefined || next.at > target) break;
      this.fire(next);
    }
    this.time = target;
    await flush();
  }

  /** Drives `promise` to completion by firing timers in due order; returns its outcome. */
  async run<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    for (let step = 0; step < 100_000; step++) {
      await flush();
      if (settled) return promise;
      const next = this.next();
      if (next === undefined)
        throw new Error("FakeClock: the promise is pending and no timer is left (a hang)");
      this.fire(next);
    }
    throw new Error("FakeClock: too many timers");
  }

  private next(): Timer | undefined {
    return [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((other) => other !== timer);
    this.time = Math.max(this.time, timer.at);
    timer.fire();
  }
}
