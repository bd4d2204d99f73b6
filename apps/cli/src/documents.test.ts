import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngSize } from "./display.js";
import { runCli } from "./testing/run-cli.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-documents-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function editsFile(name: string, edits: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof edits === "string" ? edits : JSON.stringify(edits));
  return path;
}

// The Photoshop v2 document operations on the embedded emulator: each test runs its own subprocess.
describe.concurrent("psapi composite and artboard (embedded emulator)", () => {
  it("composite converts an image and writes out/<name>-composite.<type>", async () => {
    const cwd = await mkdtemp(join(dir, "convert-"));
    const result = await runCli(["composite", SAMPLE, "--type", "psd", "--json"], { cwd });
    expect(result.stderr).toBe("target: embedded emulator\n");
    expect(result.code).toBe(0);
    const psd = await readFile(join(cwd, "out", "coffee-composite.psd"));
    expect(psd.subarray(0, 4).toString("latin1")).toBe("8BPS");
    const data = JSON.parse(result.stdout) as { output: { mediaType: string }; job: { statusUrl: string } };
    expect(data.output.mediaType).toBe("image/vnd.adobe.photoshop");
    expect(data.job.statusUrl).toMatch(/\/v2\/status\/\S+$/);
  });

  it("composite --edits uploads the files the edits name (relative to the file) and applies document edits", async () => {
    const edits = await editsFile("resize.json", {
      layers: [
        {
          type: "layer",
          name: "Logo",
          operation: { type: "add", placement: { type: "top" } },
          image: { source: { url: SAMPLE } },
          transformMode: "custom",
          transform: { offset: { horizontal: 10, vertical: 10 }, dimension: { width: 60, height: 40 } },
        },
      ],
      document: { resize: { width: { unit: "percent_unit", value: 50 } } },
    });
    const out = join(dir, "resized.png");
    const result = await runCli(["composite", SAMPLE, "--edits", edits, "--out", out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote .*resized\.png \(PNG 300×200, [\d.]+ KB\)\n$/);
    expect(pngSize(await readFile(out))).toEqual({ width: 300, height: 200 });
  });

  it("artboard lays two images side by side, 50 px apart by default", async () => {
    const out = join(dir, "board.png");
    const result = await runCli(["artboard", SAMPLE, SAMPLE, "--type", "png", "--out", out]);
    expect(result.code).toBe(0);
    expect(pngSize(await readFile(out))).toEqual({ width: 1250, height: 400 });
  });

  it("batch --op composite writes one rendition per CSV row, its values in the edits' placeholders", async () => {
    const cwd = await mkdtemp(join(dir, "template-"));
    await writeFile(join(cwd, "rows.csv"), `id,photo,x\nleft,${SAMPLE},10\nright,${SAMPLE},400\n`);
    await writeFile(
      join(cwd, "edits.json"),
      JSON.stringify({
        layers: [
          {
            type: "layer",
            name: "{{id}}",
            operation: { type: "add", placement: { type: "top" } },
            image: { source: { url: "{{photo}}" } },
            transformMode: "custom",
            transform: {
              offset: { horizontal: "{{x|number}}", vertical: 10 },
              dimension: { width: 120, height: 80 },
            },
          },
        ],
      }),
    );
    const args = [
      "batch",
      "rows.csv",
      "--op",
      "composite",
      "--template",
      SAMPLE,
      "--edits",
      "edits.json",
      "--out",
      "out/t",
    ];
    const result = await runCli(args, { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^composite: 2 of 2 succeeded, 0 failed/);
    for (const key of ["left", "right"]) {
      expect(pngSize(await readFile(join(cwd, "out", "t", `${key}-composite.png`)))).toEqual({
        width: 600,
        height: 400,
      });
    }
    const missing = await runCli(["batch", "rows.csv", "--op", "composite", "--edits", "edits.json"], {
      cwd,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: --op composite needs --template <psd> and --edits <json>");
  });

  it.each([
    ["a malformed edits file", '{"layers": [', 2, /^error: --edits .*\.json: not valid JSON/],
    [
      "an edits file of the wrong shape",
      '{"edit": []}',
      2,
      /^error: --edits .*: expected \{"layers": \[\.\.\.\], "document": \{\.\.\.\}\}, not "edit"/,
    ],
    [
      "a local file the edits name that is not there",
      {
        layers: [
          { type: "layer", name: "X", operation: { type: "add" }, image: { source: { url: "missing.png" } } },
        ],
      },
      2,
      /^error: --edits \/layers\/0\/image\/source\/url: missing\.png: no such file/,
    ],
    [
      "a layer the document does not have",
      { layers: [{ type: "layer", name: "Nope", operation: { type: "delete" } }] },
      1,
      /^error: POST .*\/v2\/create-composite failed \(422 validation_error: \/edits\/layers\/0: the document has no layer named 'Nope'\)/,
    ],
    [
      "an unknown layer type",
      { layers: [{ type: "shape_layer", name: "X", operation: { type: "edit" } }] },
      1,
      /^error: POST .*\/v2\/create-composite failed \(400 validation_error: \/edits\/layers\/0\/type/,
    ],
  ])("composite refuses %s in one line", async (what, edits, code, message) => {
    const file = await editsFile(`broken-${what.replace(/\W+/g, "-")}.json`, edits);
    const result = await runCli(["composite", SAMPLE, "--edits", file]);
    expect(result.code).toBe(code);
    const lines = result.stderr
      .trim()
      .split("\n")
      .filter((line) => line.startsWith("error:"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
