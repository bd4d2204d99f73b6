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
    expect(writes.at(-1)).toBe("\r\u001b[2Ksubmitted · 0.0s · mask job");
    now += 1_250;
    progress.update("running");
    expect(writes.at(-1)).toBe("\r\u001b[2Krunning · 1.3s · mask job");
    now += 1_000;
    vi.advanceTimersByTime(100);
    expect(writes.at(-1)).toBe("\r\u001b[2Krunning · 2.3s · mask job");
  });

  it("keeps state and elapsed time first and cuts the label to the terminal's width, job id shortened", () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const stream = { isTTY: true, columns: 40, write: (text: string) => writes.push(text) };
    const label = "mask job 1f2e4a5b-0c1d-4e2f-8a3b-9c4d5e6f7a8b";
    const progress = createProgress({ stream, label, now: () => 0 });
    progress.update("running");
    progress.stop();
    expect(writes[1]).toBe("\r\u001b[2Krunning · 0.0s · mask job 1f2e4a5b…");
    const narrow = { isTTY: true, columns: 20, write: (text: string) => writes.push(text) };
    createProgress({ stream: narrow, label, now: () => 0 }).stop();
    expect(writes.at(-2)).toBe("\r\u001b[2Ksubmitted · 0.0s ·…");
  });

  it("treats a terminal that reports 0 columns as 80 wide instead of drawing nothing useful", () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const stream = { isTTY: true, columns: 0, write: (text: string) => writes.push(text) };
    createProgress({ stream, label: "mask job 1f2e4a5b-0c1d-4e2f-8a3b-9c4d5e6f7a8b", now: () => 0 }).stop();
    expect(writes[0]).toBe("\r\u001b[2Ksubmitted · 0.0s · mask job 1f2e4a5b…");
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
