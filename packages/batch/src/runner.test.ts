import { getEventListeners } from "node:events";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecretRegistry, secretForms } from "@psapi/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expandInputs } from "./inputs.js";
import { openFileJournal } from "./journal.js";
import { OPERATIONS } from "./operations.js";
import type { RateRule } from "./rate-rules.js";
import { runBatch } from "./runner.js";
import { DISC_PNG, photoInputs, startEmulator } from "./testing/emulator.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-batch-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
});

const photos = (count: number) => photoInputs(dir, count);

/**
 * Tight windows so that a few dozen inputs hit them: the emulator enforces them, the client keeps to
 * them with its default 250 ms margin, which absorbs the time between a request's slot and its
 * arrival at the gateway even when a loaded machine stalls the event loop in between.
 */
const RULES: RateRule[] = [
  { name: "post", method: "POST", limit: 8, windowMs: 1000 },
  { name: "get", method: "GET", limit: 30, windowMs: 1000 },
];

// Runs real jobs through an emulator in this process: on a loaded 2-core machine (load 90 was seen)
// that can take minutes, so the bound is generous; nothing compares a duration.
const SLOW = { timeout: 300_000 };

describe("runBatch", () => {
  it("runs every input once through faults and rate limits, with no rate-limit 429", SLOW, async () => {
    const inputs = await photos(20);
    const emulator = startEmulator({
      rateLimits: RULES,
      clientRules: RULES,
      faults: {
        seed: 7,
        rules: [
          { route: "POST /sensei/*", status: 503, probability: 0.1 },
          { route: "GET /sensei/status/*", reset: true, probability: 0.1 },
        ],
      },
    });
    const journal = await openFileJournal(join(dir, "journal.jsonl"), "mask");
    const report = await runBatch({
      inputs,
      operation: OPERATIONS.mask as (typeof OPERATIONS)["mask"] & object,
      client: emulator.client,
      journal,
      storage: emulator.storage,
      outDir: join(dir, "out"),
      concurrency: 6,
    });
    await journal.close();
    expect(report).toMatchObject({ total: 20, succeeded: 20, failed: 0, inDoubt: 0 });
    const entries = await emulator.journal();
    // Faults struck (the test exercises recovery) ...
    expect(entries.filter((entry) => entry.fault !== undefined).length).toBeGreaterThan(0);
    // ... but no request went over a window: a 429 without a fault would be the emulator's limiter.
    expect(entries.filter((entry) => entry.status === 429 && entry.fault === undefined)).toEqual([]);
    // Exactly one accepted job per input.
    const accepted = entries.filter(
      (entry) => entry.method === "POST" && entry.path === "/sensei/mask" && entry.status === 202,
    );
    expect(accepted).toHaveLength(20);
    for (const input of report.inputs) {
      expect(input.status).toBe("succeeded");
      const written = await stat(input.output as string);
      expect(written.size).toBeGreaterThan(0);
    }
  });

  it("skips finished inputs and polls accepted jobs instead of sending them again", SLOW, async () => {
    const inputs = await photos(6);
    const emulator = startEmulator({ jobs: { pendingMs: 0, runningMs: 60_000 } });
    const path = join(dir, "journal.jsonl");
    const first = await openFileJournal(path, "cutout");
    const aborted = new AbortController();
    // Stop once every job is accepted: the jobs run for a minute of emulator time.
    let accepted = 0;
    const original = first.record.bind(first);
    first.record = async (event) => {
      await original(event);
      if (event.event === "accepted" && ++accepted === 6) aborted.abort(new Error("stop"));
    };
    await expect(
      runBatch({
        inputs,
        operation: OPERATIONS.cutout as NonNullable<(typeof OPERATIONS)["cutout"]>,
        client: emulator.client,
        journal: first,
        storage: emulator.storage,
        outDir: join(dir, "out"),
        concurrency: 6,
        signal: aborted.signal,
      }),
    ).rejects.toThrow("stop");
    await first.close();
    await emulator.control.advanceClock(61_000);
    const second = await openFileJournal(path, "cutout");
    const report = await runBatch({
      inputs,
      operation: OPERATIONS.cutout as NonNullable<(typeof OPERATIONS)["cutout"]>,
      client: emulator.client,
      journal: second,
      storage: emulator.storage,
      outDir: join(dir, "out"),
    });
    await second.close();
    expect(report).toMatchObject({ succeeded: 6, failed: 0 });
    const posts = (await emulator.journal()).filter(
      (entry) => entry.method === "POST" && entry.path === "/sensei/cutout",
    );
    expect(posts).toHaveLength(6);
    // A third run finds everything done and sends nothing.
    const before = (await emulator.journal()).length;
    const third = await openFileJournal(path, "cutout");
    const again = await runBatch({
      inputs,
      operation: OPERATIONS.cutout as NonNullable<(typeof OPERATIONS)["cutout"]>,
      client: emulator.client,
      journal: third,
      storage: emulator.storage,
      outDir: join(dir, "out"),
    });
    await third.close();
    expect(again).toMatchObject({ succeeded: 6, earlierRun: 6 });
    expect((await emulator.journal()).length).toBe(before);
  });

  it("retries a failing input up to the limit, then reports it failed", SLOW, async () => {
    const inputs = await photos(2);
    const emulator = startEmulator();
    // The first input's submissions always fail with 500; the second's succeed.
    await emulator.control.addFault({ route: "POST /sensei/mask", status: 500, times: 3 * 4 });
    const journal = await openFileJournal(join(dir, "journal.jsonl"), "mask");
    const report = await runBatch({
      inputs: inputs.slice(0, 1),
      operation: OPERATIONS.mask as NonNullable<(typeof OPERATIONS)["mask"]>,
      client: emulator.client,
      journal,
      storage: emulator.storage,
      outDir: join(dir, "out"),
      maxAttempts: 3,
    });
    await journal.close();
    expect(report).toMatchObject({ total: 1, succeeded: 0, failed: 1 });
    expect(report.inputs[0]).toMatchObject({ status: "failed", attempts: 3 });
    expect(report.inputs[0]?.error).toMatch(/500/);
    const lines = (await readFile(join(dir, "journal.jsonl"), "utf8")).trim().split("\n");
    expect(lines.map((line) => JSON.parse(line).event)).toEqual([
      "batch",
      "submitting",
      "failed",
      "submitting",
      "failed",
      "submitting",
      "failed",
    ]);
  });

  it(
    "counts a preparation that fails toward maxAttempts and records the input failed for good",
    SLOW,
    async () => {
      const inputs = await photos(1);
      const emulator = startEmulator();
      // The upload is refused every time (as an emulator's size limit would): no submission is ever made.
      const stop = new AbortController();
      let uploads = 0;
      const storage = {
        ...emulator.storage,
        async upload(): Promise<string> {
          // A guard against the loop this test is about: stop it rather than hang the suite.
          if (++uploads >= 20) stop.abort(new Error("still trying after 20 uploads"));
          throw new Error("upload failed: 413");
        },
      };
      const journal = await openFileJournal(join(dir, "journal.jsonl"), "mask");
      const report = await runBatch({
        inputs,
        operation: OPERATIONS.mask as NonNullable<(typeof OPERATIONS)["mask"]>,
        client: emulator.client,
        journal,
        storage,
        outDir: join(dir, "out"),
        maxAttempts: 3,
        signal: stop.signal,
      });
      await journal.close();
      expect(uploads).toBe(3);
      expect(report.inputs[0]).toMatchObject({ status: "failed", attempts: 3, error: "upload failed: 413" });
      const events = (await readFile(join(dir, "journal.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { event: string; final?: boolean });
      expect(events.map((event) => [event.event, event.final])).toEqual([
        ["batch", undefined],
        ["failed", false],
        ["failed", false],
        ["failed", true],
      ]);
      expect((await emulator.journal()).filter((entry) => entry.method === "POST")).toEqual([]);
    },
  );
  it(
    "leaves no abort listener on the run's signal, and gives each input a signal of its own",
    SLOW,
    async () => {
      // Each request (undici's Request) listens to the signal it is given until it is garbage-collected:
      // given the run's one signal, every request of a long run left a listener on it.
      const inputs = await photos(4);
      const emulator = startEmulator();
      const stop = new AbortController();
      const seen: { signal: AbortSignal; listeners: number }[] = [];
      const storage = {
        ...emulator.storage,
        // The signal the runner gave this input, as the input's first request is about to be made.
        upload: (key: string, path: string, signal: AbortSignal) => {
          seen.push({ signal, listeners: getEventListeners(signal, "abort").length });
          return emulator.storage.upload(key, path, signal);
        },
      };
      const journal = await openFileJournal(join(dir, "journal.jsonl"), "mask");
      const report = await runBatch({
        inputs,
        operation: OPERATIONS.mask as NonNullable<(typeof OPERATIONS)["mask"]>,
        client: emulator.client,
        journal,
        storage,
        outDir: join(dir, "out"),
        concurrency: 1,
        signal: stop.signal,
      });
      await journal.close();
      expect(report).toMatchObject({ total: 4, succeeded: 4 });
      // runBatch has returned: whatever it hung on the caller's signal is gone.
      expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);
      expect(seen).toHaveLength(4);
      // One signal per input, and none carries the listeners of an earlier input's requests.
      expect(seen.map((entry) => entry.listeners)).toEqual([0, 0, 0, 0]);
      expect(new Set(seen.map((entry) => entry.signal)).size).toBe(4);
    },
  );
  it(
    "keeps a secret out of the journal, the report and progress, and a run started again still finds its inputs",
    SLOW,
    async () => {
      const secret = 'batch-Secret"9\\x+';
      const secrets = createSecretRegistry([secret]);
      await mkdir(join(dir, "photos"), { recursive: true });
      await copyFile(DISC_PNG, join(dir, "photos", `a-${secret}.png`));
      await copyFile(DISC_PNG, join(dir, "photos", `b-${encodeURIComponent(secret)}.png`));
      const inputs = await expandInputs(join(dir, "photos"), dir);
      const emulator = startEmulator();
      const shown: string[] = [];
      const run = async () => {
        const journal = await openFileJournal(join(dir, "journal.jsonl"), "mask");
        const report = await runBatch({
          inputs,
          operation: OPERATIONS.mask as NonNullable<(typeof OPERATIONS)["mask"]>,
          client: emulator.client,
          journal,
          storage: emulator.storage,
          outDir: join(dir, "out"),
          scrub: secrets.scrub,
          onProgress: (progress) => shown.push(JSON.stringify(progress)),
        });
        await journal.close();
        shown.push(JSON.stringify(report));
        return report;
      };
      expect(await run()).toMatchObject({ total: 2, succeeded: 2, earlierRun: 0 });
      // Keys are kept scrubbed, and looked up scrubbed: the second run finds both done.
      expect(await run()).toMatchObject({ total: 2, succeeded: 2, earlierRun: 2 });
      shown.push(await readFile(join(dir, "journal.jsonl"), "utf8"));
      const all = shown.join("\n");
      expect(all).toContain("[REDACTED]");
      expect(secretForms(secret).filter((form) => all.includes(form))).toEqual([]);
      // Only one POST per input: nothing ran twice.
      expect(
        (await emulator.journal()).filter(
          (entry) => entry.method === "POST" && entry.path === "/sensei/mask",
        ),
      ).toHaveLength(2);
    },
  );
});
