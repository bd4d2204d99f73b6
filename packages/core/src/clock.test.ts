import { afterEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "./clock.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("systemClock", () => {
  it("reads Date.now()", () => {
    vi.useFakeTimers({ now: 1234 });
    expect(systemClock.now()).toBe(1234);
  });

  it("resolves after the given time", async () => {
    vi.useFakeTimers();
    let done = false;
    const sleeping = systemClock.sleep(1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it("waits the whole of a wait longer than setTimeout's 24.8-day limit, which would fire at once", async () => {
    vi.useFakeTimers();
    const days30 = 30 * 24 * 3_600_000;
    let done = false;
    const controller = new AbortController();
    const sleeping = systemClock.sleep(days30, controller.signal).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(days30 - 2 ** 31 - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("clears the current timer of a long wait when the signal aborts", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60 * 24 * 3_600_000, controller.signal);
    await vi.advanceTimersByTimeAsync(2 ** 31);
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects at once with the reason of an already aborted signal", async () => {
    const reason = new Error("stop");
    await expect(systemClock.sleep(1000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it("rejects with the reason and clears its timer when the signal aborts mid-wait", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("treats a negative wait as zero and stops listening to the signal once done", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, "addEventListener");
    const removed = vi.spyOn(controller.signal, "removeEventListener");
    const sleeping = systemClock.sleep(-5, controller.signal);
    await vi.advanceTimersByTimeAsync(0);
    await expect(sleeping).resolves.toBeUndefined();
    // The one abort listener it added is the one it removed: the signal holds nothing of this wait.
    expect(added).toHaveBeenCalledTimes(1);
    const listener = added.mock.calls[0]?.[1];
    expect(listener).toBeTypeOf("function");
    expect(removed).toHaveBeenCalledWith("abort", listener);
  });
});
