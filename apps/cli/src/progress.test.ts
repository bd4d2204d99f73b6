import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgress } from "./progress.js";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (text: string) => writes.push(text) } };
}

describe("createProgress", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes nothing at all when the stream is not a terminal", () => {
    vi.useFakeTimers();
    const { writes, stream } = fakeStream(false);
    const progress = createProgress({ stream, label: "mask job", now: () => 0 });
    progress.update("running");
    vi.advanceTimersByTime(1000);
    progress.stop();
    expect(writes).toEqual([]);
  });

  it("shows the latest state with the elapsed seconds and redraws as time passes", () => {
    vi.useFakeTimers();
    let now = 5_000;
    const { writes, stream } = fakeStream(true);
    const progress = createProgress({ stream, label: "mask job", now: () => now, intervalMs: 100 });
    expect(writes.at(-1)).toBe("\r\u001b[2Kmask job: submitted · 0.0s");
    now += 1_250;
    progress.update("running");
    expect(writes.at(-1)).toBe("\r\u001b[2Kmask job: running · 1.3s");
    now += 1_000;
    vi.advanceTimersByTime(100);
    expect(writes.at(-1)).toBe("\r\u001b[2Kmask job: running · 2.3s");
  });

  it("cuts the line to the terminal's width, so that it can be redrawn in place", () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const stream = { isTTY: true, columns: 20, write: (text: string) => writes.push(text) };
    const progress = createProgress({ stream, label: "mask job 0123456789abcdef", now: () => 0 });
    progress.stop();
    expect(writes[0]).toBe("\r\u001b[2Kmask job 012345678…");
  });

  it("clears the line and stops redrawing when stopped", () => {
    vi.useFakeTimers();
    const { writes, stream } = fakeStream(true);
    const progress = createProgress({ stream, label: "job", now: () => 0, intervalMs: 100 });
    progress.stop();
    const count = writes.length;
    vi.advanceTimersByTime(1_000);
    expect(writes.at(-1)).toBe("\r\u001b[2K");
    expect(writes).toHaveLength(count);
  });
});
