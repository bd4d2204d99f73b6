import { afterEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "./clock.js";
import { startDeadline } from "./deadline.js";
import { createFakeClock } from "./testing/fake-clock.js";

const fake = () => createFakeClock();

afterEach(() => {
  vi.useRealTimers();
});

describe("startDeadline", () => {
  it("aborts with a TimeoutError carrying the message once the time on the clock is up", async () => {
    const clock = fake();
    const deadline = startDeadline(clock, 1000, undefined, "took too long");
    await clock.advance(999);
    expect(deadline.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(DOMException);
    expect(deadline.signal.reason).toMatchObject({ name: "TimeoutError", message: "took too long" });
  });

  it("follows the parent signal, with the parent's reason", () => {
    const parent = new AbortController();
    const deadline = startDeadline(fake(), 1000, parent.signal, "late");
    const reason = new Error("caller gave up");
    parent.abort(reason);
    expect(deadline.signal.reason).toBe(reason);
  });

  it("throws the parent's reason when the parent has already aborted", () => {
    const reason = new Error("too late");
    expect(() => startDeadline(fake(), 1000, AbortSignal.abort(reason), "late")).toThrow(reason);
  });

  it("stops the timer and lets go of the parent once disposed", async () => {
    const clock = fake();
    const parent = new AbortController();
    const deadline = startDeadline(clock, 1000, parent.signal, "late");
    deadline.dispose();
    await clock.advance(5000);
    parent.abort(new Error("after the work"));
    expect(deadline.signal.aborted).toBe(false);
  });

  it("has no time limit when ms is undefined", async () => {
    const clock = fake();
    const deadline = startDeadline(clock, undefined, undefined, "never");
    await clock.advance(10 ** 9);
    expect(deadline.signal.aborted).toBe(false);
    deadline.dispose();
  });

  it("runs the system clock through the same cancellable sleep, waits past setTimeout's limit, and clears it", async () => {
    vi.useFakeTimers();
    const clear = vi.spyOn(globalThis, "clearTimeout");
    const long = startDeadline(systemClock, 2 ** 40, undefined, "late");
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(long.signal.aborted).toBe(false); // a bare setTimeout(2 ** 40) would have fired at once
    long.dispose();
    expect(clear).toHaveBeenCalledTimes(1);
    const short = startDeadline(systemClock, 50, undefined, "late");
    await vi.advanceTimersByTimeAsync(49);
    expect(short.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(short.signal.reason).toMatchObject({ name: "TimeoutError", message: "late" });
    short.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("asks the clock for exactly one sleep of the limit, and cancels it on dispose", async () => {
    const clock = fake();
    const deadline = startDeadline(clock, 1000, undefined, "late");
    expect(clock.sleeps).toEqual([1000]);
    expect(clock.pending()).toBe(1);
    deadline.dispose();
    await clock.advance(0);
    expect(clock.pending()).toBe(0);
  });
});
