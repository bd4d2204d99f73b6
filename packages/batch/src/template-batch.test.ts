import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BatchInput } from "./inputs.js";
import { openFileJournal } from "./journal.js";
import { compositeOperation } from "./operations.js";
import type { RateRule } from "./rate-rules.js";
import { runBatch } from "./runner.js";
import { readTemplateRows, templateColumns } from "./template.js";
import { DISC_PNG, startEmulator } from "./testing/emulator.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-template-batch-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
});

const RULES: RateRule[] = [
  { name: "post", method: "POST", limit: 8, windowMs: 1000 },
  { name: "get", method: "GET", limit: 30, windowMs: 1000 },
];
const SLOW = { timeout: 300_000 };

/** The template is the sample photo; each row adds a photo from the CSV at its own offset. */
const EDITS = {
  layers: [
    {
      type: "layer",
      name: "{{id}}",
      operation: { type: "add", placement: { type: "top" } },
      image: { source: { url: "{{photo}}" } },
      transformMode: "custom",
      transform: {
        offset: { horizontal: "{{x|number}}", vertical: 0 },
        dimension: { width: 16, height: 16 },
      },
    },
  ],
};

async function templateBatch(rows: number): Promise<BatchInput[]> {
  await copyFile(DISC_PNG, join(dir, "product.png"));
  const csv = ["id,photo,x", ...Array.from({ length: rows }, (_, i) => `row${i},product.png,${i}`)].join(
    "\n",
  );
  await writeFile(join(dir, "rows.csv"), `${csv}\n`);
  const parsed = await readTemplateRows(join(dir, "rows.csv"), templateColumns(EDITS));
  return parsed.map((row) => ({
    key: row.key,
    source: { kind: "file", path: DISC_PNG },
    values: row.values,
  }));
}

describe("template batches (create-composite, one rendition per row)", () => {
  it(
    "killed midway and run again, writes one rendition per row, resubmits only rows in doubt, with no 429",
    SLOW,
    async () => {
      const inputs = await templateBatch(20);
      const emulator = startEmulator({ rateLimits: RULES, clientRules: RULES });
      const operation = compositeOperation({ edits: EDITS, baseDir: dir });
      const path = join(dir, "journal.jsonl");
      const first = await openFileJournal(path, "composite");
      const stop = new AbortController();
      let done = 0;
      const original = first.record.bind(first);
      first.record = async (event) => {
        await original(event);
        if (event.event === "succeeded" && ++done === 8) stop.abort(new Error("killed"));
      };
      const run = (journal: typeof first, signal?: AbortSignal) =>
        runBatch({
          inputs,
          operation,
          client: emulator.client,
          journal,
          storage: emulator.storage,
          fetch: emulator.fetch,
          outDir: join(dir, "out"),
          concurrency: 4,
          ...(signal && { signal }),
        });
      await expect(run(first, stop.signal)).rejects.toThrow("killed");
      await first.close();
      const second = await openFileJournal(path, "composite");
      const report = await run(second);
      await second.close();
      expect(report).toMatchObject({ total: 20, succeeded: 20, failed: 0 });
      expect(report.earlierRun).toBeGreaterThanOrEqual(8);
      const files = (await readdir(join(dir, "out")))
        .filter((name) => name.endsWith("-composite.png"))
        .sort();
      expect(files).toEqual(inputs.map((input) => `${input.key}-composite.png`).sort());
      const entries = await emulator.journal();
      const posts = entries.filter(
        (entry) => entry.method === "POST" && entry.path === "/v2/create-composite",
      );
      // A row whose POST was on the wire when the run was killed is "in doubt" (Adobe has no
      // idempotency key): it is sent again, and the report counts it. No other row is.
      expect(report.inDoubt).toBeLessThanOrEqual(4);
      const accepted = posts.filter((entry) => entry.status === 202).length;
      expect(accepted).toBeGreaterThanOrEqual(20);
      expect(accepted).toBeLessThanOrEqual(20 + report.inDoubt);
      expect(entries.filter((entry) => entry.status === 429)).toEqual([]);
      // Each row's file upload went under one key per file: the product photo is one object.
      const uploads = entries.filter(
        (entry) => entry.method === "PUT" && decodeURIComponent(entry.path).includes("/files/"),
      );
      expect(new Set(uploads.map((entry) => entry.path)).size).toBe(1);
      const png = await readFile(join(dir, "out", "row3-composite.png"));
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    },
  );

  it(
    "fails a row whose value does not fit the template at once, naming the row, and runs the others",
    SLOW,
    async () => {
      const inputs = await templateBatch(3);
      const bad = { ...inputs[1], values: { ...inputs[1]?.values, x: "left" } } as BatchInput;
      const emulator = startEmulator();
      const journal = await openFileJournal(join(dir, "journal.jsonl"), "composite");
      const report = await runBatch({
        inputs: [inputs[0] as BatchInput, bad, inputs[2] as BatchInput],
        operation: compositeOperation({ edits: EDITS, baseDir: dir }),
        client: emulator.client,
        journal,
        storage: emulator.storage,
        fetch: emulator.fetch,
        outDir: join(dir, "out"),
        maxAttempts: 3,
      });
      await journal.close();
      expect(report).toMatchObject({ succeeded: 2, failed: 1 });
      // The BatchError's problem, without the package name, and no second attempt: the same row
      // would fail the same way.
      expect(report.inputs.find((input) => input.key === "row1")).toMatchObject({
        error: 'row1, /layers/0/transform/offset/horizontal: "left" is not a number',
        attempts: 1,
      });
    },
  );
});
