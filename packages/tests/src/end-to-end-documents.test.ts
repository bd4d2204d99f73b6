// The Photoshop v2 document operations end to end: a PSD built here with ag-psd goes through the
// client (and raw HTTP for refusals) to the emulator, in process and on a port, and each output is
// read back with sharp or ag-psd to check that the edit is at the right pixels. Every exchange is
// checked against the project's spec by the environment.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "@psapi/cli/testing";
import { type CreateCompositeRequest, jobOutputs } from "@psapi/client";
import { readPsd } from "ag-psd";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { callCurrent, downloadHosted } from "./harness/current.js";
import { BLUE, GREEN, RED, type Rgb, solid, template, WHITE } from "./harness/documents.js";
import { type Transport, useEnvironment } from "./harness/environment.js";

async function png(rgb: Rgb, width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  const { data } = solid(width, height, rgb);
  return new Uint8Array(
    await sharp(Buffer.from(data), { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer(),
  );
}

/** The RGB of the pixel at (x, y) of an encoded image, and its format and size. */
async function read(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const meta = await sharp(bytes).metadata();
  return {
    format: meta.format,
    width: info.width,
    height: info.height,
    at: (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)],
  };
}

/** Each channel within `tolerance` (JPEG is lossy). */
function near(actual: number[], expected: Rgb, tolerance = 0): boolean {
  return actual.every((value, i) => Math.abs(value - (expected[i] ?? 0)) <= tolerance);
}

describe.each<Transport>(["in-process", "port"])("Photoshop v2 documents end to end, %s", (transport) => {
  const env = useEnvironment(
    { transport, emulator: { jobs: { pendingMs: 0, runningMs: 0 } } },
    { per: "describe" },
  );
  const put = (key: string, bytes: Uint8Array<ArrayBuffer>, type: string) =>
    env().control.putObject(key, bytes, type);
  const hosted = (type: string) => ({ destination: { validityPeriod: 600 }, mediaType: type }) as const;

  /** Runs a create-composite job through the client and downloads each output. */
  async function composite(body: CreateCompositeRequest): Promise<Uint8Array[]> {
    const done = await (await env().client.createComposite(body)).wait();
    expect(done.status).toBe("succeeded");
    const files = jobOutputs(done);
    expect(files).toHaveLength(body.outputs.length);
    return Promise.all(files.map((file) => downloadHosted(env(), file.url ?? "")));
  }

  it("converts a PSD to PNG, JPEG, TIFF and PSD from its stored composite", async () => {
    const url = await put("docs/template.psd", template(), "image/vnd.adobe.photoshop");
    const [pngOut, jpegOut, tiffOut, psdOut] = await composite({
      image: { source: { url } },
      outputs: [
        hosted("image/png"),
        hosted("image/jpeg"),
        hosted("image/tiff"),
        hosted("image/vnd.adobe.photoshop"),
      ],
    } as CreateCompositeRequest);
    for (const [bytes, format, tolerance] of [
      [pngOut, "png", 0],
      [jpegOut, "jpeg", 12],
      [tiffOut, "tiff", 0],
    ] as const) {
      const image = await read(bytes as Uint8Array);
      expect([image.format, image.width, image.height]).toEqual([format, 120, 80]);
      expect(near(image.at(20, 15), RED, tolerance), `${format} red at (20,15): ${image.at(20, 15)}`).toBe(
        true,
      );
      expect(near(image.at(80, 40), BLUE, tolerance), `${format} blue at (80,40)`).toBe(true);
      expect(near(image.at(5, 70), WHITE, tolerance), `${format} white at (5,70)`).toBe(true);
    }
    const psd = readPsd(psdOut as Uint8Array, { skipLayerImageData: true, skipCompositeImageData: true });
    expect(psd.children?.map((layer) => layer.name)).toEqual(["Background", "Badge", "Product"]);
  });

  it("deletes a layer, adds an image layer at its bounds and replaces a smart object, each visible at its pixels", async () => {
    const url = await put("docs/template.psd", template(), "image/vnd.adobe.photoshop");
    const green = await put("docs/green.png", await png(GREEN, 10, 10), "image/png");
    const red = await put("docs/red.png", await png(RED, 16, 16), "image/png");
    const [out, psdOut] = await composite({
      image: { source: { url } },
      edits: {
        layers: [
          { type: "layer", name: "Badge", operation: { type: "delete" } },
          {
            type: "layer",
            name: "Sticker",
            operation: { type: "add", placement: { type: "top" } },
            image: { source: { url: red } },
            transformMode: "custom",
            transform: { offset: { horizontal: 90, vertical: 5 }, dimension: { width: 16, height: 16 } },
          },
          {
            type: "smart_object_layer",
            name: "Product",
            operation: { type: "edit" },
            smartObject: { smartObjectFile: { source: { url: green } } },
          },
        ],
      },
      outputs: [hosted("image/png"), hosted("image/vnd.adobe.photoshop")],
    } as CreateCompositeRequest);
    const image = await read(out as Uint8Array);
    // The badge's pixels are gone: the background shows.
    expect(image.at(20, 15)).toEqual([...WHITE]);
    // The sticker is at its offset, 16 × 16, and nowhere else.
    expect(image.at(90, 5)).toEqual([...RED]);
    expect(image.at(105, 20)).toEqual([...RED]);
    expect(image.at(89, 5)).toEqual([...WHITE]);
    expect(image.at(106, 21)).toEqual([...WHITE]);
    // A 10 × 10 image fitted into the smart object's 40 × 20 box: 20 × 20, centred (x 70-89).
    expect(image.at(80, 40)).toEqual([...GREEN]);
    expect(image.at(65, 40)).toEqual([...WHITE]);
    const psd = readPsd(psdOut as Uint8Array, { skipLayerImageData: true, skipCompositeImageData: true });
    expect(psd.children?.map((layer) => layer.name)).toEqual(["Background", "Product", "Sticker"]);
  });

  it("lays out an artboard per image, each a group with its bounds in the PSD, and renders them side by side", async () => {
    const a = await put("docs/a.png", await png(RED, 40, 30), "image/png");
    const b = await put("docs/b.png", await png(BLUE, 20, 50), "image/png");
    const done = await (
      await env().client.createArtboard({
        images: [{ source: { url: a } }, { source: { url: b } }],
        artboardSpacing: 10,
        outputs: [hosted("image/vnd.adobe.photoshop"), hosted("image/png")],
      } as Parameters<ReturnType<typeof env>["client"]["createArtboard"]>[0])
    ).wait();
    expect(done.status).toBe("succeeded");
    const [psdFile, pngFile] = jobOutputs(done);
    const psd = readPsd(await downloadHosted(env(), psdFile?.url ?? ""), {
      skipLayerImageData: true,
      skipCompositeImageData: true,
    });
    expect(psd.children?.map((group) => [group.name, group.artboard?.rect])).toEqual([
      ["Artboard 1", { top: 0, left: 0, bottom: 30, right: 40 }],
      ["Artboard 2", { top: 0, left: 50, bottom: 50, right: 70 }],
    ]);
    const image = await read(await downloadHosted(env(), pngFile?.url ?? ""));
    expect([image.width, image.height]).toEqual([70, 50]);
    expect(image.at(5, 5)).toEqual([...RED]);
    expect(image.at(60, 40)).toEqual([...BLUE]);
  });

  it("refuses bad input with the documented status and code, never a 500", async () => {
    const url = await put("docs/template.psd", template(), "image/vnd.adobe.photoshop");
    const out = [hosted("image/png")];
    const cases: [string, unknown, number, string][] = [
      // An unknown layer type: the schema's enum.
      [
        "unknown layer type",
        {
          image: { source: { url } },
          edits: { layers: [{ type: "video_layer", name: "x", operation: { type: "edit" } }] },
          outputs: out,
        },
        400,
        "validation_error",
      ],
      // A layer name the document does not have: refuted by the document when the POST arrives.
      [
        "missing layer",
        {
          image: { source: { url } },
          edits: { layers: [{ type: "layer", name: "Nope", operation: { type: "delete" } }] },
          outputs: out,
        },
        422,
        "validation_error",
      ],
      [
        "output type not offered",
        { image: { source: { url } }, outputs: [hosted("image/gif")] },
        400,
        "validation_error",
      ],
      [
        "source outside the allow-list",
        { image: { source: { url: "https://example.com/a.psd" } }, outputs: out },
        400,
        "validation_error",
      ],
    ];
    for (const [what, body, status, code] of cases) {
      const answer = await callCurrent(env(), "POST", "/v2/create-composite", body);
      expect([what, answer.status, answer.json.error_code]).toEqual([what, status, code]);
    }
    const wide = await put("docs/wide.png", await png(WHITE, 12_001, 1), "image/png");
    const oversize = await callCurrent(env(), "POST", "/v2/create-composite", {
      image: { source: { url: wide } },
      outputs: out,
    });
    // Over the emulator's own 10,000-pixel side (its README; Adobe's is 32,000): refused when the
    // POST arrives, as an oversize input is on the other current routes.
    expect([oversize.status, oversize.json.error_code]).toEqual([422, "validation_error"]);
  });
});

describe("Photoshop v2 documents through the CLI (embedded emulator)", () => {
  it("psapi composite applies a deletion, an added layer at its bounds and a smart-object replacement, at the right pixels", async () => {
    const dir = await mkdtemp(join(tmpdir(), "psapi-e2e-documents-"));
    try {
      await writeFile(join(dir, "template.psd"), template());
      await writeFile(join(dir, "red.png"), await png(RED, 16, 16));
      await writeFile(join(dir, "green.png"), await png(GREEN, 10, 10));
      // Sources in an edits file are paths relative to it, uploaded by the CLI.
      await writeFile(
        join(dir, "edits.json"),
        JSON.stringify({
          layers: [
            { type: "layer", name: "Badge", operation: { type: "delete" } },
            {
              type: "layer",
              name: "Sticker",
              operation: { type: "add", placement: { type: "top" } },
              image: { source: { url: "red.png" } },
              transformMode: "custom",
              transform: { offset: { horizontal: 90, vertical: 5 }, dimension: { width: 16, height: 16 } },
            },
            {
              type: "smart_object_layer",
              name: "Product",
              operation: { type: "edit" },
              smartObject: { smartObjectFile: { source: { url: "green.png" } } },
            },
          ],
        }),
      );
      const result = await runCli(
        ["composite", "template.psd", "--edits", "edits.json", "--out", "out.png"],
        {
          cwd: dir,
        },
      );
      expect(result.code, result.stderr).toBe(0);
      const image = await read(new Uint8Array(await readFile(join(dir, "out.png"))));
      expect([image.width, image.height]).toEqual([120, 80]);
      expect(image.at(20, 15)).toEqual([...WHITE]);
      expect(image.at(90, 5)).toEqual([...RED]);
      expect(image.at(106, 21)).toEqual([...WHITE]);
      expect(image.at(80, 40)).toEqual([...GREEN]);
      // A layer the template does not have: one line naming it, exit 1, nothing written.
      await writeFile(
        join(dir, "missing.json"),
        JSON.stringify({ layers: [{ type: "layer", name: "Nope", operation: { type: "delete" } }] }),
      );
      const refused = await runCli(
        ["composite", "template.psd", "--edits", "missing.json", "--out", "no.png"],
        {
          cwd: dir,
        },
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^error: .*the document has no layer named 'Nope'/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
