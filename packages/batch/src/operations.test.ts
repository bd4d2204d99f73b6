import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redactUrl } from "@psapi/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BatchInput } from "./inputs.js";
import { openFileJournal } from "./journal.js";
import { type BatchOperation, operationNamed } from "./operations.js";
import { checkInputs, runBatch } from "./runner.js";
import { photoInputs, startEmulator } from "./testing/emulator.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-batch-ops-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
});

const photos = (count: number) => photoInputs(dir, count);

const PNG = "\x89PNG";
const PSD = "8BPS";
const magic = async (path: string) => (await readFile(path)).subarray(0, 4).toString("latin1");

// Real jobs through an emulator in this process; generous on a loaded machine, no duration compared.
const SLOW = { timeout: 300_000 };

async function run(operation: BatchOperation, inputs: readonly BatchInput[], emulator = startEmulator()) {
  const journal = await openFileJournal(join(dir, `${operation.name}.jsonl`), operation.name);
  try {
    const report = await runBatch({
      inputs,
      operation,
      client: emulator.client,
      journal,
      storage: emulator.storage,
      outDir: join(dir, "out"),
      fetch: emulator.fetch,
      concurrency: 3,
    });
    return { report, entries: await emulator.journal() };
  } finally {
    await journal.close();
  }
}

describe("current-contract operations", () => {
  it.each([
    ["remove-background", "cutout", "-cutout.png", PNG],
    ["remove-background-mask", "mask", "-mask.png", PNG],
    ["remove-background-psd", "psd", "-layers.psd", PSD],
  ])(
    "%s submits POST /v2/remove-background in mode %s and downloads the hosted result",
    SLOW,
    async (name, mode, suffix, type) => {
      const inputs = await photos(3);
      const { report, entries } = await run(operationNamed(name), inputs);
      expect(report).toMatchObject({ total: 3, succeeded: 3, failed: 0 });
      const posts = entries.filter(
        (entry) => entry.method === "POST" && entry.path === "/v2/remove-background",
      );
      expect(posts.map((entry) => entry.status)).toEqual([202, 202, 202]);
      for (const post of posts) expect(JSON.parse(post.request?.body ?? "{}")).toMatchObject({ mode });
      for (const input of report.inputs) {
        expect(input.output).toBe(join(dir, "out", input.key.replace(/\.png$/, suffix)));
        expect(await magic(input.output as string)).toBe(type);
      }
    },
  );

  it("mask-objects downloads every mask of each input into <name>-masks/", SLOW, async () => {
    const inputs = await photos(2);
    const { report, entries } = await run(operationNamed("mask-objects"), inputs);
    expect(report).toMatchObject({ total: 2, succeeded: 2, failed: 0 });
    expect(
      entries.filter(
        (entry) => entry.method === "POST" && entry.path === "/v1/mask-objects" && entry.status === 202,
      ),
    ).toHaveLength(2);
    for (const input of report.inputs) {
      const folder = input.output as string;
      expect(folder).toMatch(/-masks$/);
      const files = await readdir(folder);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        expect(file).toMatch(/^\d+-[a-z0-9-]+\.png$/);
        expect(await magic(join(folder, file))).toBe(PNG);
      }
    }
  });

  it("copies a hosted result to the input's pre-signed output URL", SLOW, async () => {
    const emulator = startEmulator();
    const [photo] = await photos(1);
    const source = await emulator.storage.upload(
      "in/p0.png",
      join(dir, "photos", "p000.png"),
      AbortSignal.timeout(60_000),
    );
    const output = await emulator.storage.outputUrl("results/p0-cutout.png", AbortSignal.timeout(60_000));
    const input: BatchInput = {
      key: photo?.key ?? "p0",
      source: { kind: "url", url: source },
      outputUrl: output,
    };
    const { report } = await run(operationNamed("remove-background"), [input], emulator);
    expect(report).toMatchObject({ succeeded: 1, failed: 0 });
    // The report names the URL with its signature redacted; the object is there.
    expect(report.inputs[0]?.output).toBe(redactUrl(output));
    expect(report.inputs[0]?.output).not.toBe(output);
    const copied = join(dir, "copied.png");
    await emulator.storage.download("results/p0-cutout.png", copied, AbortSignal.timeout(60_000));
    expect(await magic(copied)).toBe(PNG);
  });

  it("refuses an output URL for mask-objects, which gives several files per input", () => {
    const input: BatchInput = {
      key: "a",
      source: { kind: "url", url: "https://bucket.s3.amazonaws.com/a.png?sig=x" },
      outputUrl: "https://bucket.s3.amazonaws.com/a-out.png?sig=y",
    };
    expect(() => checkInputs([input], { operation: operationNamed("mask-objects"), outDir: dir })).toThrow(
      /several files per input/,
    );
    expect(() => checkInputs([input], { operation: operationNamed("remove-background") })).not.toThrow();
    expect(() =>
      checkInputs([{ ...input, outputUrl: undefined } as BatchInput], {
        operation: operationNamed("remove-background"),
      }),
    ).toThrow(/outDir is required/);
  });
});
