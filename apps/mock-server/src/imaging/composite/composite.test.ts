import type { components } from "@psapi/openapi-types/photoshop-current";
import { type Layer, type Psd, readPsd, writePsdUint8Array } from "ag-psd";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { DEFAULT_IMAGE_LIMITS } from "../input.js";
import { checkComposite, createArtboard, createComposite, DocumentError } from "./index.js";
import { filled, type Pixels, preparePsdPixels } from "./pixels.js";

type Request = components["schemas"]["CreateCompositeRequest"];
type Rgb = [number, number, number];

preparePsdPixels();

const RED: Rgb = [220, 30, 30];
const GREEN: Rgb = [30, 200, 60];
const BLUE: Rgb = [40, 60, 230];

function box(
  name: string,
  rgb: Rgb,
  left: number,
  top: number,
  width: number,
  height: number,
  extra: Partial<Layer> = {},
): Layer {
  return {
    name,
    left,
    top,
    right: left + width,
    bottom: top + height,
    imageData: filled(width, height, rgb),
    ...extra,
  };
}

/** A 100 x 60 PSD: a red background, a green box at (10,10) 20x20, a blue box at (40,20) 30x30. */
function poster(extra: Layer[] = [], composite = true): Uint8Array {
  const layers = [
    box("Background", RED, 0, 0, 100, 60, { id: 1 }),
    box("Green", GREEN, 10, 10, 20, 20, { id: 2 }),
    box("Blue", BLUE, 40, 20, 30, 30, { id: 3 }),
    ...extra,
  ];
  const psd: Psd = { width: 100, height: 60, children: layers };
  if (composite) {
    const image = filled(100, 60, RED);
    for (const [rgb, l, t, w, h] of [
      [GREEN, 10, 10, 20, 20],
      [BLUE, 40, 20, 30, 30],
    ] as const) {
      for (let y = t; y < t + h; y++)
        for (let x = l; x < l + w; x++) image.data.set([...rgb, 255], (y * 100 + x) * 4);
    }
    psd.imageData = image;
  }
  return writePsdUint8Array(psd, { noBackground: true });
}

async function png(rgb: Rgb, width: number, height: number): Promise<Uint8Array> {
  const pixels = filled(width, height, rgb);
  return new Uint8Array(
    await sharp(pixels.data, { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer(),
  );
}

async function pixelsOf(bytes: Uint8Array): Promise<Pixels> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8ClampedArray(data), width: info.width, height: info.height };
}

function at(image: Pixels, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4;
  return [...image.data.subarray(i, i + 4)];
}

const PNG_OUT = [{ destination: { validityPeriod: 600 }, mediaType: "image/png" }] as Request["outputs"];
const PSD_OUT = [
  { destination: { validityPeriod: 600 }, mediaType: "image/vnd.adobe.photoshop" },
] as Request["outputs"];

async function run(
  request: Omit<Request, "image" | "outputs"> & Partial<Pick<Request, "image" | "outputs">>,
  files: Record<string, Uint8Array>,
  mode: "strict" | "approximate" = "strict",
) {
  const full = {
    image: { source: { url: "https://x.amazonaws.com/in.psd" } },
    outputs: PNG_OUT,
    ...request,
  } as Request;
  return createComposite(full, {
    files: new Map(Object.entries(files)),
    mode,
    limits: DEFAULT_IMAGE_LIMITS,
    title: "in.psd",
  });
}

async function failure(promise: Promise<unknown>): Promise<DocumentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DocumentError);
  return error as DocumentError;
}

describe("createComposite on a real PSD", () => {
  it("converts a PSD to PNG from its stored composite when nothing is edited", async () => {
    const { outputs } = await run({}, { "/image/source": poster() });
    const out = await pixelsOf(outputs[0]?.bytes as Uint8Array);
    expect([out.width, out.height]).toEqual([100, 60]);
    expect(at(out, 5, 5)).toEqual([...RED, 255]);
    expect(at(out, 15, 15)).toEqual([...GREEN, 255]);
    expect(at(out, 50, 30)).toEqual([...BLUE, 255]);
  });

  it("deletes a layer: its pixels are gone, the rest stays", async () => {
    const edits = {
      layers: [{ type: "layer", name: "Green", operation: { type: "delete" } }],
    } as Request["edits"];
    const out = await pixelsOf(
      (await run({ edits }, { "/image/source": poster() })).outputs[0]?.bytes as Uint8Array,
    );
    expect(at(out, 15, 15)).toEqual([...RED, 255]);
    expect(at(out, 50, 30)).toEqual([...BLUE, 255]);
  });

  it("deletes a group with its children by default (v2), and only the group with shouldIncludeChildren: false", async () => {
    // The poster's two boxes inside a group "Boxes" above the background.
    const grouped = writePsdUint8Array(
      {
        width: 100,
        height: 60,
        children: [
          box("Background", RED, 0, 0, 100, 60, { id: 1 }),
          {
            id: 4,
            name: "Boxes",
            opened: true,
            children: [
              box("Green", GREEN, 10, 10, 20, 20, { id: 2 }),
              box("Blue", BLUE, 40, 20, 30, 30, { id: 3 }),
            ],
          },
        ],
      },
      { noBackground: true },
    );
    const remove = async (operation: { type: "delete"; shouldIncludeChildren?: boolean }) => {
      const edits = { layers: [{ type: "group_layer", name: "Boxes", operation }] } as Request["edits"];
      const { outputs } = await run(
        { edits, outputs: [...PNG_OUT, ...PSD_OUT] },
        { "/image/source": grouped },
      );
      const tree = readPsd(outputs[1]?.bytes as Uint8Array, {
        skipLayerImageData: true,
        skipCompositeImageData: true,
      }).children?.map((layer) => [layer.name, layer.children?.length ?? 0]);
      return { tree, png: await pixelsOf(outputs[0]?.bytes as Uint8Array) };
    };
    const all = await remove({ type: "delete" });
    expect(all.tree).toEqual([["Background", 0]]);
    expect(at(all.png, 15, 15)).toEqual([...RED, 255]);
    expect(at(all.png, 50, 30)).toEqual([...RED, 255]);
    const groupOnly = await remove({ type: "delete", shouldIncludeChildren: false });
    // The children take the group's place in the tree, and their pixels stay.
    expect(groupOnly.tree).toEqual([
      ["Background", 0],
      ["Green", 0],
      ["Blue", 0],
    ]);
    expect(at(groupOnly.png, 15, 15)).toEqual([...GREEN, 255]);
    expect(at(groupOnly.png, 50, 30)).toEqual([...BLUE, 255]);
  });

  it("adds an image layer where its transform says, at the size it says", async () => {
    const edits = {
      layers: [
        {
          type: "layer",
          name: "Added",
          operation: { type: "add", placement: { type: "top" } },
          image: { source: { url: "https://x.amazonaws.com/g.png" } },
          transformMode: "custom",
          transform: { offset: { horizontal: 80, vertical: 5 }, dimension: { width: 10, height: 8 } },
        },
      ],
    } as Request["edits"];
    const files = { "/image/source": poster(), "/edits/layers/0/image/source": await png(GREEN, 4, 4) };
    const out = await pixelsOf((await run({ edits }, files)).outputs[0]?.bytes as Uint8Array);
    expect(at(out, 80, 5)).toEqual([...GREEN, 255]);
    expect(at(out, 89, 12)).toEqual([...GREEN, 255]);
    expect(at(out, 90, 12)).toEqual([...RED, 255]);
    expect(at(out, 89, 13)).toEqual([...RED, 255]);
    expect(at(out, 79, 5)).toEqual([...RED, 255]);
  });

  it("honours visibility, opacity and blend mode when it recomposites", async () => {
    const edits = {
      layers: [
        { type: "layer", name: "Green", operation: { type: "edit" }, isVisible: false },
        { type: "layer", name: "Blue", operation: { type: "edit" }, blendOptions: { opacity: 50 } },
      ],
    } as Request["edits"];
    const out = await pixelsOf(
      (await run({ edits }, { "/image/source": poster() })).outputs[0]?.bytes as Uint8Array,
    );
    expect(at(out, 15, 15)).toEqual([...RED, 255]);
    const mid = at(out, 50, 30);
    for (let c = 0; c < 3; c++)
      expect(Math.abs((mid[c] ?? 0) - Math.round(((RED[c] ?? 0) + (BLUE[c] ?? 0)) / 2))).toBeLessThanOrEqual(
        1,
      );

    const multiply = {
      layers: [
        { type: "layer", name: "Blue", operation: { type: "edit" }, blendOptions: { blendMode: "multiply" } },
      ],
    } as Request["edits"];
    const product = await pixelsOf(
      (await run({ edits: multiply }, { "/image/source": poster() })).outputs[0]?.bytes as Uint8Array,
    );
    expect(at(product, 50, 30).slice(0, 3)).toEqual(
      RED.map((r, c) => Math.round((r * (BLUE[c] ?? 0)) / 255)),
    );
  });

  it("moves a layer below another: the covered one shows where they overlap", async () => {
    const overlap = [box("Top", GREEN, 45, 25, 10, 10, { id: 4 })];
    const edits = {
      layers: [
        {
          type: "layer",
          name: "Top",
          operation: { type: "move", placement: { type: "below", referenceLayer: { name: "Blue" } } },
        },
      ],
    } as Request["edits"];
    const before = await pixelsOf(
      (
        await run(
          {
            edits: {
              layers: [{ type: "layer", name: "Top", operation: { type: "edit" }, isVisible: true }],
            } as Request["edits"],
          },
          { "/image/source": poster(overlap) },
        )
      ).outputs[0]?.bytes as Uint8Array,
    );
    expect(at(before, 50, 30)).toEqual([...GREEN, 255]);
    const after = await pixelsOf(
      (await run({ edits }, { "/image/source": poster(overlap) })).outputs[0]?.bytes as Uint8Array,
    );
    expect(at(after, 50, 30)).toEqual([...BLUE, 255]);
  });

  it("replaces a smart object's content, fitted into the layer's bounds", async () => {
    const so = box("Product", GREEN, 10, 10, 40, 20, {
      id: 5,
      placedLayer: {
        id: "0f4d1c5e-9391-11ec-b4f1-c15674f50bc4",
        type: "raster",
        width: 40,
        height: 20,
        transform: [10, 10, 50, 10, 50, 30, 10, 30],
      },
    });
    const edits = {
      layers: [
        {
          type: "smart_object_layer",
          name: "Product",
          operation: { type: "edit" },
          smartObject: { smartObjectFile: { source: { url: "https://x.amazonaws.com/new.png" } } },
        },
      ],
    } as Request["edits"];
    const files = {
      "/image/source": poster([so]),
      "/edits/layers/0/smartObject/smartObjectFile/source": await png(BLUE, 10, 10),
    };
    const { outputs } = await run({ edits, outputs: [...PNG_OUT, ...PSD_OUT] }, files);
    const out = await pixelsOf(outputs[0]?.bytes as Uint8Array);
    // A square into a 40 x 20 box: 20 x 20, centred at x 20-39.
    expect(at(out, 20, 10)).toEqual([...BLUE, 255]);
    expect(at(out, 39, 29)).toEqual([...BLUE, 255]);
    expect(at(out, 15, 15)).toEqual([...GREEN, 255]); // the old Green layer below, not the smart object
    expect(at(out, 45, 15)).toEqual([...RED, 255]);
    const psd = readPsd(outputs[1]?.bytes as Uint8Array, { useImageData: true });
    const layer = psd.children?.find((l) => l.name === "Product");
    expect(layer?.placedLayer?.width).toBe(10);
    expect(psd.linkedFiles?.length).toBe(1);
  });

  it("writes text into a PSD output, and refuses to fake it in a PNG unless asked to approximate", async () => {
    const edits = {
      layers: [
        {
          type: "text_layer",
          name: "Headline",
          operation: { type: "add", placement: { type: "top" } },
          text: {
            content: "Summer sale",
            characterStyles: [
              {
                characterStyle: {
                  font: { postScriptName: "ArialMT" },
                  fontSize: 24,
                  fontColor: { rgb: { red: 32768, green: 0, blue: 0 } },
                },
              },
            ],
          },
        },
      ],
    } as Request["edits"];
    const error = await failure(run({ edits }, { "/image/source": poster() }));
    expect(error.code).toBe("emulator_unsupported");
    expect(error.message).toContain("'Headline'");
    const { outputs } = await run({ edits, outputs: PSD_OUT }, { "/image/source": poster() });
    const psd = readPsd(outputs[0]?.bytes as Uint8Array, { skipLayerImageData: true, useImageData: true });
    const text = psd.children?.find((l) => l.name === "Headline")?.text;
    expect(text?.text).toBe("Summer sale");
    expect(text?.style?.font?.name).toBe("ArialMT");
    expect(text?.style?.fillColor).toEqual({ r: 255, g: 0, b: 0 });
    // No faithful composite can be drawn, so the PSD says its composite is not real…
    expect(psd.imageResources?.versionInfo?.hasRealMergedData).toBe(false);
    // …and converting that PSD again refuses, instead of serving the placeholder as the picture.
    const again = await failure(run({}, { "/image/source": outputs[0]?.bytes as Uint8Array }));
    expect(again.code).toBe("emulator_unsupported");
    const approximate = await run({ edits }, { "/image/source": poster() }, "approximate");
    expect(approximate.warnings.join("\n")).toContain("'Headline'");
  });

  it("refuses a font it has no file for when missingFontStrategy is fail", async () => {
    const edits = {
      layers: [
        {
          type: "text_layer",
          name: "T",
          operation: { type: "add" },
          text: {
            content: "x",
            characterStyles: [{ characterStyle: { font: { postScriptName: "Brand-Bold" } } }],
          },
        },
      ],
    } as Request["edits"];
    const error = await failure(
      run(
        { edits, outputs: PSD_OUT, fontOptions: { missingFontStrategy: "fail" } },
        { "/image/source": poster() },
      ),
    );
    expect(error.code).toBe("emulator_missing_font");
    expect(error.pointer).toBe("/edits/layers/0/text/characterStyles/0/characterStyle/font/postScriptName");
  });

  it("adds an adjustment layer to a PSD, and refuses to render it into a raster output", async () => {
    const edits = {
      layers: [
        {
          type: "adjustment_layer",
          name: "Bright",
          operation: { type: "add" },
          adjustments: { type: "brightness_contrast", brightnessContrast: { brightness: 40 } },
        },
      ],
    } as Request["edits"];
    const error = await failure(run({ edits }, { "/image/source": poster() }));
    expect(error.code).toBe("emulator_unsupported");
    const { outputs } = await run({ edits, outputs: PSD_OUT }, { "/image/source": poster() });
    const psd = readPsd(outputs[0]?.bytes as Uint8Array, { skipLayerImageData: true, useImageData: true });
    expect(psd.children?.at(-1)?.adjustment).toMatchObject({ type: "brightness/contrast", brightness: 40 });
  });

  it("names the entry and the missing layer when an edit targets a layer the document does not have", async () => {
    const edits = {
      layers: [
        { type: "layer", name: "Green", operation: { type: "edit" } },
        { type: "layer", name: "Nope", operation: { type: "delete" } },
      ],
    } as Request["edits"];
    const error = await failure(run({ edits }, { "/image/source": poster() }));
    expect(error.code).toBe("400401");
    expect(error.pointer).toBe("/edits/layers/1");
    expect(error.message).toContain("no layer named 'Nope'");
  });

  it("refuses an edit whose type does not match its target", async () => {
    const edits = {
      layers: [{ type: "text_layer", name: "Green", operation: { type: "edit" }, text: { content: "x" } }],
    } as Request["edits"];
    const error = await failure(run({ edits }, { "/image/source": poster() }));
    expect(error.pointer).toBe("/edits/layers/0/type");
  });

  it("resizes, then crops, then trims the document", async () => {
    const resized = await run(
      { edits: { document: { resize: { width: { unit: "percent_unit", value: 50 } } } } },
      { "/image/source": poster() },
    );
    const half = await pixelsOf(resized.outputs[0]?.bytes as Uint8Array);
    expect([half.width, half.height]).toEqual([50, 30]);
    expect(at(half, 25, 15)).toEqual([...BLUE, 255]);
    const cropped = await run(
      { edits: { document: { crop: { bounds: { left: 40, top: 20, right: 70, bottom: 50 } } } } },
      { "/image/source": poster() },
    );
    const crop = await pixelsOf(cropped.outputs[0]?.bytes as Uint8Array);
    expect([crop.width, crop.height]).toEqual([30, 30]);
    expect(at(crop, 0, 0)).toEqual([...BLUE, 255]);
    const trimmed = await run(
      {
        edits: {
          layers: [{ type: "layer", name: "Background", operation: { type: "delete" } }],
          document: { trim: { trimUpon: "transparent_pixels" } },
        },
      },
      { "/image/source": poster() },
    );
    const trim = await pixelsOf(trimmed.outputs[0]?.bytes as Uint8Array);
    expect([trim.width, trim.height]).toEqual([60, 40]);
  });

  it("exports one layer cropped to its bounds, and scales an output to its width", async () => {
    const outputs = [
      { destination: { validityPeriod: 600 }, mediaType: "image/png", layers: [{ name: "Blue" }] },
      { destination: { validityPeriod: 600 }, mediaType: "image/jpeg", quality: "high", width: 50 },
    ] as Request["outputs"];
    const result = await run({ outputs }, { "/image/source": poster() });
    const layer = await pixelsOf(result.outputs[0]?.bytes as Uint8Array);
    expect([layer.width, layer.height]).toEqual([30, 30]);
    expect(at(layer, 0, 0)).toEqual([...BLUE, 255]);
    const meta = await sharp(result.outputs[1]?.bytes as Uint8Array).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 50, 30]);
  });

  it("makes a new document with a solid colour layer", async () => {
    const request = {
      image: { width: 40, height: 20, fill: "white" },
      edits: {
        layers: [
          {
            type: "solid_color_layer",
            name: "Fill",
            operation: { type: "add", placement: { type: "top" } },
            fill: { solidColor: { rgb: { red: 10, green: 20, blue: 30 } } },
            blendOptions: { opacity: 100 },
          },
        ],
      },
    } as Partial<Request>;
    const out = await pixelsOf((await run(request, {})).outputs[0]?.bytes as Uint8Array);
    expect([out.width, out.height]).toEqual([40, 20]);
    expect(at(out, 3, 3)).toEqual([10, 20, 30, 255]);
  });

  it("clips a layer to the one below it", async () => {
    const clipped = [box("Clip", GREEN, 30, 0, 70, 60, { id: 6, clipping: true })];
    const out = await pixelsOf(
      (
        await run(
          {
            edits: {
              layers: [{ type: "layer", name: "Clip", operation: { type: "edit" }, isVisible: true }],
            },
          },
          { "/image/source": poster(clipped) },
        )
      ).outputs[0]?.bytes as Uint8Array,
    );
    expect(at(out, 50, 30)).toEqual([...GREEN, 255]); // inside Blue: clipped Green shows
    expect(at(out, 35, 5)).toEqual([...RED, 255]); // outside Blue: nothing of Green
  });
});

describe("checkComposite (what the route runs when the POST arrives)", () => {
  const options = (files: Record<string, Uint8Array>) => ({
    files: new Map(Object.entries(files)),
    mode: "strict" as const,
    limits: DEFAULT_IMAGE_LIMITS,
    title: "in.psd",
  });

  it("follows the entries' adds and deletes and refutes a reference with 400401", async () => {
    const request = {
      image: { source: { url: "https://x.amazonaws.com/in.psd" } },
      edits: {
        layers: [
          { type: "group_layer", name: "Badges", operation: { type: "add" } },
          {
            type: "layer",
            name: "Green",
            operation: { type: "move", placement: { type: "into", referenceLayer: { name: "Badges" } } },
          },
          { type: "layer", name: "Blue", operation: { type: "delete" } },
        ],
      },
      outputs: [
        { destination: { validityPeriod: 600 }, mediaType: "image/png", layers: [{ name: "Green" }] },
      ],
    } as Request;
    await expect(checkComposite(request, options({ "/image/source": poster() }))).resolves.toBeUndefined();
    const later = {
      ...request,
      edits: {
        layers: [
          ...(request.edits?.layers ?? []),
          { type: "layer", name: "Blue", operation: { type: "edit" }, isVisible: false },
        ],
      },
    } as Request;
    const error = await failure(checkComposite(later, options({ "/image/source": poster() })));
    expect([error.code, error.pointer]).toEqual(["400401", "/edits/layers/3"]);
    const output = {
      ...request,
      outputs: [{ destination: { validityPeriod: 600 }, mediaType: "image/png", layers: [{ name: "Blue" }] }],
    } as Request;
    expect((await failure(checkComposite(output, options({ "/image/source": poster() })))).pointer).toBe(
      "/outputs/0/layers/0",
    );
  });
});

describe("the two ways of drawing plain layers", () => {
  it("libvips and the compositor agree within one level", async () => {
    const { openDocument } = await import("./document.js");
    const { renderDocument, renderDocumentFast } = await import("./render.js");
    const half = [
      box("Half", GREEN, -5, 30, 50, 40, { id: 7, opacity: 0.5 }),
      box("Faint", BLUE, 70, -3, 40, 20, { id: 8, opacity: 0.3 }),
    ];
    const doc = await openDocument(poster(half), "strict", DEFAULT_IMAGE_LIMITS);
    const slow = renderDocument(doc, "test", "");
    const fast = await renderDocumentFast(doc, "test", "");
    expect([fast.width, fast.height]).toEqual([slow.width, slow.height]);
    let worst = 0;
    for (let i = 0; i < slow.data.length; i++)
      worst = Math.max(worst, Math.abs((slow.data[i] ?? 0) - (fast.data[i] ?? 0)));
    expect(worst).toBeLessThanOrEqual(1);
    expect(at(fast, 2, 40)).not.toEqual([...RED, 255]); // the half-transparent layer is there
  });
});

describe("createArtboard", () => {
  it("lays one artboard per image left to right, spacing apart, on a canvas as tall as the tallest", async () => {
    const files = new Map([
      ["/images/0/source", await png(RED, 30, 20)],
      ["/images/1/source", await png(BLUE, 10, 40)],
    ]);
    const request = {
      images: [
        { source: { url: "https://x.amazonaws.com/a.png" } },
        { source: { url: "https://x.amazonaws.com/b.png" } },
      ],
      artboardSpacing: 5,
      outputs: [...PNG_OUT, ...PSD_OUT],
    } as components["schemas"]["CreateArtboardRequest"];
    const { outputs } = await createArtboard(request, {
      files,
      mode: "strict",
      limits: DEFAULT_IMAGE_LIMITS,
      title: "board",
    });
    const out = await pixelsOf(outputs[0]?.bytes as Uint8Array);
    expect([out.width, out.height]).toEqual([45, 40]);
    expect(at(out, 0, 0)).toEqual([...RED, 255]);
    expect(at(out, 32, 0)[3]).toBe(0);
    expect(at(out, 35, 39)).toEqual([...BLUE, 255]);
    const psd = readPsd(outputs[1]?.bytes as Uint8Array, { skipLayerImageData: true, useImageData: true });
    expect(psd.children?.map((l) => [l.name, l.artboard?.rect])).toEqual([
      ["Artboard 1", { top: 0, left: 0, bottom: 20, right: 30 }],
      ["Artboard 2", { top: 0, left: 35, bottom: 40, right: 45 }],
    ]);
  });
});
