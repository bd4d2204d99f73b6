import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRunSignal, DeadlineExceededError, settleWithin } from "./run-signal.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("createRunSignal", () => {
  it("aborts with DeadlineExceededError exactly --timeout seconds after it is armed, not before", () => {
    const run = createRunSignal(new AbortController().signal);
    run.arm(5);
    vi.advanceTimersByTime(4999);
    expect(run.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(run.signal.reason).toBeInstanceOf(DeadlineExceededError);
    expect((run.signal.reason as DeadlineExceededError).seconds).toBe(5);
  });

  it("has no deadline until armed, and follows Ctrl-C with its reason", () => {
    const interrupt = new AbortController();
    const run = createRunSignal(interrupt.signal);
    vi.advanceTimersByTime(10 * 24 * 3600 * 1000);
    expect(run.signal.aborted).toBe(false);
    interrupt.abort(new DOMException("interrupted by SIGINT", "AbortError"));
    expect((run.signal.reason as DOMException).message).toBe("interrupted by SIGINT");
  });

  it("dispose stops the deadline", () => {
    const run = createRunSignal(new AbortController().signal);
    run.arm(1);
    run.dispose();
    vi.advanceTimersByTime(60_000);
    expect(run.signal.aborted).toBe(false);
  });
});

describe("settleWithin", () => {
  it("gives up on work that ignores the abort, grace ms after it, with the signal's reason", async () => {
    const controller = new AbortController();
    const settled = settleWithin(new Promise<never>(() => {}), controller.signal, 2000);
    const outcome = vi.fn();
    settled.then(outcome, outcome);
    controller.abort(new DeadlineExceededError(1));
    await vi.advanceTimersByTimeAsync(1999);
    expect(outcome).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toHaveBeenCalledWith(expect.any(DeadlineExceededError));
  });

  it("settles with the work when it ends first", async () => {
    const controller = new AbortController();
    await expect(settleWithin(Promise.resolve(42), controller.signal, 2000)).resolves.toBe(42);
  });
});
