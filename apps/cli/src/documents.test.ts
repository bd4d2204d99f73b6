import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initializeCanvas, readPsd } from "ag-psd";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngSize } from "./display.js";
import { runCli } from "./testing/run-cli.js";
import { type ServedEmulator, serveEmulator } from "./testing/serve-emulator.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;
const DEMO = { PHOTOSHOP_CLIENT_ID: "psapi-demo-client", PHOTOSHOP_CLIENT_SECRET: "psapi-demo-secret" };
const RED = [220, 30, 40] as const;

// ag-psd decodes PSD pixels into ImageData through a factory; Node has no canvas, and none is drawn on.
initializeCanvas(
  () => {
    throw new Error("no canvas in tests");
  },
  (width, height) =>
    ({ width, height, data: new Uint8ClampedArray(width * height * 4), colorSpace: "srgb" }) as ImageData,
);

/** RGBA pixels, row by row. */
interface Pixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** The pixels of a PNG, JPEG or TIFF file, with an alpha channel. */
async function pixelsOf(file: string | Uint8Array): Promise<Pixels> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The RGBA of one pixel. */
const at = (image: Pixels, x: number, y: number) =>
  Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));

/** The mean absolute difference of the colour channels of two images of one size, over every 5th pixel each way. */
function meanDifference(a: Pixels, b: Pixels): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < a.height; y += 5) {
    for (let x = 0; x < a.width; x += 5) {
      const [p, q] = [at(a, x, y), at(b, x, y)];
      for (let channel = 0; channel < 3; channel += 1) sum += Math.abs((p[channel] ?? 0) - (q[channel] ?? 0));
      count += 3;
    }
  }
  return sum / count;
}

/** Points spread over the 600×400 sample: dark, light and mid-tone areas. */
const KNOWN_POINTS = [
  [20, 20],
  [300, 200],
  [580, 380],
  [100, 300],
  [450, 80],
] as const;

let dir: string;
/** A 200×100 red PNG: an artboard that differs from the sample in size and colour. */
let redPng: string;
/** A 10001×1 PNG: one pixel wider than create-composite's 10000 px a side. */
let widePng: string;
/** Answers every command of these tests and holds each answer against the spec (closing it fails otherwise). */
let emulator: ServedEmulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-documents-"));
  redPng = join(dir, "red.png");
  await sharp({
    create: { width: 200, height: 100, channels: 3, background: { r: RED[0], g: RED[1], b: RED[2] } },
  })
    .png()
    .toFile(redPng);
  widePng = join(dir, "wide.png");
  await sharp({ create: { width: 10_001, height: 1, channels: 3, background: "#808080" } })
    .png()
    .toFile(widePng);
  emulator = await serveEmulator({ jobs: { pendingMs: 0, runningMs: 0 } }, { checkSpec: true });
});
afterAll(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs psapi against the spec-checked emulator. */
const onEmulator = (args: readonly string[], options: { cwd?: string } = {}) =>
  runCli([...args, "--base-url", emulator.url], { ...options, env: DEMO });

async function editsFile(name: string, edits: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof edits === "string" ? edits : JSON.stringify(edits));
  return path;
}

// The Photoshop v2 document operations on a served emulator that checks its every answer against
// the spec (the CLI runs in a subprocess, so the answers are checked where they are sent).
describe.concurrent("psapi composite and artboard (served emulator, answers checked against the spec)", () => {
  it("composite converts an image to a PSD whose composite is the image, and that PSD to PNG and JPEG of the same pixels", async () => {
    const cwd = await mkdtemp(join(dir, "convert-"));
    const result = await onEmulator(["composite", SAMPLE, "--type", "psd", "--json"], { cwd });
    expect(result.stderr).toBe(`target: ${emulator.url}\n`);
    expect(result.code).toBe(0);
    const psdPath = join(cwd, "out", "coffee-composite.psd");
    const psd = readPsd(await readFile(psdPath), { useImageData: true });
    const data = JSON.parse(result.stdout) as { output: { mediaType: string }; job: { statusUrl: string } };
    expect(data.output.mediaType).toBe("image/vnd.adobe.photoshop");
    expect(data.job.statusUrl).toMatch(/\/v2\/status\/\S+$/);
    expect([psd.width, psd.height]).toEqual([600, 400]);
    const composite = psd.imageData as Pixels;
    const sample = await pixelsOf(SAMPLE);
    for (const [x, y] of KNOWN_POINTS) expect(at(composite, x, y), `${x},${y}`).toEqual(at(sample, x, y));

    const [png, jpeg] = await Promise.all(
      (["png", "jpeg"] as const).map((type) =>
        onEmulator(["composite", psdPath, "--type", type, "--out", join(cwd, `again.${type}`)]),
      ),
    );
    expect(png?.code, png?.stderr).toBe(0);
    expect(jpeg?.code, jpeg?.stderr).toBe(0);
    // PNG is lossless: the PSD's composite, pixel for pixel.
    const fromPng = await pixelsOf(join(cwd, "again.png"));
    for (const [x, y] of KNOWN_POINTS) expect(at(fromPng, x, y), `${x},${y}`).toEqual(at(composite, x, y));
    // JPEG is lossy: about 1.5 levels apart on average (the same picture 10 px to the side: 20).
    const fromJpeg = await pixelsOf(join(cwd, "again.jpeg"));
    expect([fromJpeg.width, fromJpeg.height]).toEqual([600, 400]);
    expect(meanDifference(fromJpeg, composite)).toBeLessThan(4);
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
    const result = await onEmulator(["composite", SAMPLE, "--edits", edits, "--out", out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote .*resized\.png \(PNG 300×200, [\d.]+ KB\)\n$/);
    expect(pngSize(await readFile(out))).toEqual({ width: 300, height: 200 });
  });

  it("artboard lays the images out left to right, 50 px apart by default: a group per artboard with its bounds, each image at its place", async () => {
    const cwd = await mkdtemp(join(dir, "board-"));
    const [psdRun, pngRun] = await Promise.all([
      onEmulator(["artboard", SAMPLE, redPng, "--out", "board.psd"], { cwd }),
      onEmulator(["artboard", SAMPLE, redPng, "--type", "png", "--out", "board.png"], { cwd }),
    ]);
    expect(psdRun?.code, psdRun?.stderr).toBe(0);
    expect(pngRun?.code, pngRun?.stderr).toBe(0);
    // 600 + 50 + 200 wide, as tall as the taller image.
    const psd = readPsd(await readFile(join(cwd, "board.psd")), { useImageData: true });
    expect([psd.width, psd.height]).toEqual([850, 400]);
    expect(psd.children?.map((layer) => [layer.name, layer.artboard?.rect, layer.children?.length])).toEqual([
      ["Artboard 1", { top: 0, left: 0, bottom: 400, right: 600 }, 1],
      ["Artboard 2", { top: 0, left: 650, bottom: 100, right: 850 }, 1],
    ]);
    const [first, second] = [psd.children?.[0]?.children?.[0], psd.children?.[1]?.children?.[0]];
    expect([first?.left, first?.top, first?.right, first?.bottom]).toEqual([0, 0, 600, 400]);
    expect([second?.left, second?.top, second?.right, second?.bottom]).toEqual([650, 0, 850, 100]);
    const sample = await pixelsOf(SAMPLE);
    for (const board of [psd.imageData as Pixels, await pixelsOf(join(cwd, "board.png"))]) {
      expect([board.width, board.height]).toEqual([850, 400]);
      for (const [x, y] of KNOWN_POINTS) expect(at(board, x, y), `${x},${y}`).toEqual(at(sample, x, y));
      expect(at(board, 700, 50)).toEqual([...RED, 255]);
      expect(at(board, 849, 99)).toEqual([...RED, 255]);
      // Nothing between the artboards, nor under the shorter one.
      expect(at(board, 620, 50)[3]).toBe(0);
      expect(at(board, 700, 150)[3]).toBe(0);
    }
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
    const result = await onEmulator(args, { cwd });
    expect(result.code, result.stderr).toBe(0);
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

  /** The arguments after `composite` of each refused run: a sample with an edits file, or others. */
  const withEdits = (name: string, edits: unknown) => async () => [
    SAMPLE,
    "--edits",
    await editsFile(`broken-${name}.json`, edits),
  ];

  it.each([
    [
      "a malformed edits file",
      withEdits("malformed", '{"layers": ['),
      2,
      /^error: --edits .*\.json: not valid JSON/,
    ],
    [
      "an edits file of the wrong shape",
      withEdits("shape", '{"edit": []}'),
      2,
      /^error: --edits .*: expected \{"layers": \[\.\.\.\], "document": \{\.\.\.\}\}, not "edit"/,
    ],
    [
      "a local file the edits name that is not there",
      withEdits("missing-file", {
        layers: [
          { type: "layer", name: "X", operation: { type: "add" }, image: { source: { url: "missing.png" } } },
        ],
      }),
      2,
      /^error: --edits \/layers\/0\/image\/source\/url: missing\.png: no such file/,
    ],
    [
      "a layer the document does not have",
      withEdits("no-layer", { layers: [{ type: "layer", name: "Nope", operation: { type: "delete" } }] }),
      1,
      /^error: POST .*\/v2\/create-composite failed \(422 validation_error: \/edits\/layers\/0: the document has no layer named 'Nope'\)/,
    ],
    [
      "an unknown layer type",
      withEdits("layer-type", { layers: [{ type: "shape_layer", name: "X", operation: { type: "edit" } }] }),
      1,
      /^error: POST .*\/v2\/create-composite failed \(400 validation_error: \/edits\/layers\/0\/type/,
    ],
    [
      "an output type not offered",
      async () => [SAMPLE, "--type", "gif"],
      2,
      /^error: option '--type <type>' argument 'gif' is invalid\. Allowed choices are png, jpeg, tiff, psd\.$/,
    ],
    [
      "a source URL outside the allow-list",
      async () => ["https://example.com/x.psd"],
      1,
      /^error: POST .*\/v2\/create-composite failed \(400 validation_error: \/image\/source\/url: host example\.com is not an allowed storage domain \(amazonaws\.com, /,
    ],
    [
      "a source URL in the edits outside the allow-list",
      withEdits("allow-list", {
        layers: [
          {
            type: "layer",
            name: "X",
            operation: { type: "add" },
            image: { source: { url: "https://example.com/x.png" } },
          },
        ],
      }),
      1,
      /^error: POST .*\/v2\/create-composite failed \(400 validation_error: \/edits\/layers\/0\/image\/source\/url: host example\.com is not an allowed storage domain/,
    ],
    [
      "a document over 10000 px a side",
      async () => [widePng],
      1,
      /^error: POST .*\/v2\/create-composite failed \(422 validation_error: \/image\/source\/url: the image is 10001 x 1 px, over the limit of 10000 x 10000 px\)$/,
    ],
  ])("composite refuses %s in one line", async (_what, args, code, message) => {
    const result = await onEmulator(["composite", ...(await args())]);
    expect(result.code, result.stderr).toBe(code);
    const lines = result.stderr
      .trim()
      .split("\n")
      .filter((line) => line.startsWith("error:"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
