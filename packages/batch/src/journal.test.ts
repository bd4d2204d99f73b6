import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openFileJournal } from "./journal.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-journal-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openFileJournal", () => {
  it("writes one line per transition and replays them on reopen", async () => {
    const path = join(dir, "j.jsonl");
    const journal = await openFileJournal(path, "mask", () => 1000);
    await Promise.all([
      journal.record({ event: "submitting", key: "a.png", attempt: 1 }),
      journal.record({ event: "submitting", key: "b.png", attempt: 1 }),
    ]);
    await journal.record({
      event: "accepted",
      key: "a.png",
      attempt: 1,
      jobId: "j1",
      statusUrl: "http://x/s/j1",
    });
    await journal.close();
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(4);
    const again = await openFileJournal(path, "mask");
    expect(again.batchId).toBe(journal.batchId);
    expect(await again.state("a.png")).toMatchObject({ status: "accepted", jobId: "j1", attempts: 1 });
    expect(await again.state("b.png")).toMatchObject({ status: "submitting", attempts: 1, inDoubt: 0 });
    // Submitting again after an unanswered submission marks it in doubt.
    await again.record({ event: "submitting", key: "b.png", attempt: 2 });
    expect(await again.state("b.png")).toMatchObject({ attempts: 2, inDoubt: 1 });
    await again.close();
  });

  it("lists the submissions earlier runs sent within a window: answered ones at their answer, unanswered ones as now", async () => {
    const path = join(dir, "j.jsonl");
    let t = 1_000;
    const journal = await openFileJournal(path, "mask", () => t);
    await journal.record({ event: "submitting", key: "old.png", attempt: 1 });
    t = 2_000;
    await journal.record({
      event: "accepted",
      key: "old.png",
      attempt: 1,
      jobId: "j0",
      statusUrl: "http://x/s/j0",
    });
    t = 50_000;
    await journal.record({ event: "submitting", key: "a.png", attempt: 1 });
    t = 50_300;
    await journal.record({
      event: "accepted",
      key: "a.png",
      attempt: 1,
      jobId: "j1",
      statusUrl: "http://x/s/j1",
    });
    await journal.record({ event: "submitting", key: "b.png", attempt: 1 });
    t = 50_400;
    await journal.record({ event: "failed", key: "b.png", attempt: 1, error: "400", final: true });
    // Sent when the run died: no answer recorded.
    await journal.record({ event: "submitting", key: "c.png", attempt: 1 });
    // A job polled to its end is not a submission.
    await journal.record({ event: "succeeded", key: "a.png", attempt: 1, jobId: "j1" });
    await journal.close();
    t = 60_000;
    const again = await openFileJournal(path, "mask", () => t);
    expect(again.recentSubmissions(60_000).sort()).toEqual([2_000, 50_300, 50_400, 60_000]);
    expect(again.recentSubmissions(30_000).sort()).toEqual([50_300, 50_400, 60_000]);
    await again.close();
  });

  it("ignores a torn last line and goes on on a fresh line", async () => {
    const path = join(dir, "j.jsonl");
    const journal = await openFileJournal(path, "mask");
    await journal.record({ event: "submitting", key: "a.png", attempt: 1 });
    await journal.close();
    await appendFile(path, '{"event":"accepted","key":"a.png","att');
    const again = await openFileJournal(path, "mask");
    expect(await again.state("a.png")).toMatchObject({ status: "submitting" });
    await again.record({ event: "failed", key: "a.png", attempt: 1, error: "x", final: false });
    await again.close();
    const third = await openFileJournal(path, "mask");
    expect(await third.state("a.png")).toMatchObject({ status: "failed", error: "x" });
    await third.close();
  });

  it("refuses a journal of another operation, and a file that is not a journal", async () => {
    const path = join(dir, "j.jsonl");
    await (await openFileJournal(path, "mask")).close();
    await expect(openFileJournal(path, "cutout")).rejects.toThrow(/journal of a mask batch, not cutout/);
    const other = join(dir, "other.jsonl");
    await writeFile(other, "hello\nworld\n");
    await expect(openFileJournal(other, "mask")).rejects.toThrow(/not a journal line/);
    const headerless = join(dir, "headerless.jsonl");
    await writeFile(headerless, '{"event":"submitting","key":"a","attempt":1}\n');
    await expect(openFileJournal(headerless, "mask")).rejects.toThrow(/not a psapi batch journal/);
  });
});
