import { describe, expect, it } from "vitest";
import { abortable } from "./abortable.js";

describe("abortable", () => {
  it("settles like the promise when there is no signal or it never aborts", async () => {
    await expect(abortable(Promise.resolve(1), undefined)).resolves.toBe(1);
    await expect(abortable(Promise.resolve(2), new AbortController().signal)).resolves.toBe(2);
    const failure = new Error("failed");
    await expect(abortable(Promise.reject(failure), new AbortController().signal)).rejects.toBe(failure);
  });

  it("rejects with the signal's reason as soon as it aborts, though the work never settles", async () => {
    const controller = new AbortController();
    const waiting = abortable(new Promise<never>(() => {}), controller.signal);
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it("rejects at once when the signal has already aborted", async () => {
    const reason = new Error("too late");
    await expect(abortable(new Promise<never>(() => {}), AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
