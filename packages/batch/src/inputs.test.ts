import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BatchError } from "./errors.js";
import { checkBatchId } from "./fleet.js";
import { expandInputs, resultFileName } from "./inputs.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-inputs-"));
  await mkdir(join(dir, "photos", "sub"), { recursive: true });
  for (const name of ["b.png", "a.JPG", "notes.txt", "sub/c.webp"])
    await writeFile(join(dir, "photos", name), "x");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("expandInputs", () => {
  it("takes the images of a directory and below, in path order, keyed by relative path", async () => {
    const inputs = await expandInputs("photos", dir);
    expect(inputs.map((input) => input.key)).toEqual(["a.JPG", "b.png", "sub/c.webp"]);
    expect(inputs[0]?.source).toEqual({ kind: "file", path: join(dir, "photos", "a.JPG") });
    expect(resultFileName(inputs[2] as (typeof inputs)[number], "-mask.png")).toBe("sub/c-mask.png");
  });

  it("takes a glob", async () => {
    const inputs = await expandInputs("photos/*.png", dir);
    expect(inputs.map((input) => input.key)).toEqual(["photos/b.png"]);
  });

  it("reads a CSV manifest of URLs, keyed by id or by the URL without its query", async () => {
    await writeFile(
      join(dir, "m.csv"),
      "input,output,id\nhttps://b.s3.amazonaws.com/x.png?sig=1,https://b.s3.amazonaws.com/x-out.png?sig=2,\n" +
        "https://b.s3.amazonaws.com/y.png?sig=3,,why\n",
    );
    const inputs = await expandInputs("m.csv", dir);
    expect(inputs).toEqual([
      {
        key: "https://b.s3.amazonaws.com/x.png",
        source: { kind: "url", url: "https://b.s3.amazonaws.com/x.png?sig=1" },
        outputUrl: "https://b.s3.amazonaws.com/x-out.png?sig=2",
      },
      { key: "why", source: { kind: "url", url: "https://b.s3.amazonaws.com/y.png?sig=3" } },
    ]);
    // A URL key never becomes a path: the result file is named by its digest.
    expect(resultFileName(inputs[0] as (typeof inputs)[number], "-mask.png")).toMatch(
      /^[0-9a-f]{20}-mask\.png$/,
    );
  });

  it("reads a JSONL manifest, files relative to it", async () => {
    await writeFile(
      join(dir, "m.jsonl"),
      '{"input":"photos/b.png"}\n\n{"input":"https://h.example/z.png","id":"z"}\n',
    );
    const inputs = await expandInputs("m.jsonl", dir);
    expect(inputs.map((input) => input.key)).toEqual(["photos/b.png", "z"]);
  });

  it("refuses bad manifests, duplicates and empty inputs with the line named", async () => {
    await writeFile(join(dir, "bad.jsonl"), '{"input":"a.png"}\nnot json\n');
    await expect(expandInputs("bad.jsonl", dir)).rejects.toThrow(/line 2: not a JSON object/);
    await writeFile(join(dir, "http.jsonl"), '{"input":"http://example.com/a.png"}\n');
    await expect(expandInputs("http.jsonl", dir)).rejects.toThrow(/must be https/);
    await writeFile(join(dir, "noinput.csv"), "output\nhttps://a.example/x\n");
    await expect(expandInputs("noinput.csv", dir)).rejects.toThrow(/row 1: "input" is required/);
    await writeFile(
      join(dir, "dup.jsonl"),
      '{"input":"photos/b.png","id":"x"}\n{"input":"photos/a.JPG","id":"x"}\n',
    );
    await expect(expandInputs("dup.jsonl", dir)).rejects.toThrow(/two inputs share the key x/);
    await expect(expandInputs("nothing/*.png", dir)).rejects.toThrow(/names no input/);
  });

  it("throws a BatchError whose fields say what is wrong, so callers need not read the message", async () => {
    const error = await expandInputs("nothing/*.png", dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({
      name: "BatchError",
      code: "invalid-inputs",
      problem: "nothing/*.png names no input",
      input: "nothing/*.png",
      message: "[@psapi/batch] nothing/*.png names no input",
    });
    expect(() => checkBatchId("run:2024")).toThrow(
      expect.objectContaining({ code: "invalid-batch-id", input: "run:2024" }),
    );
  });
});
