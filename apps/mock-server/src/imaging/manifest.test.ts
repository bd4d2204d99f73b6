import { type Layer, type Psd, writePsdUint8Array } from "ag-psd";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ImageDecodeError } from "./errors.js";
import { readDocumentManifest } from "./manifest.js";
import type { ManifestLayer } from "./manifest-types.js";
import { fixture } from "./testing/images.js";

const CREATOR_XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Adobe Photoshop 25.0 (Windows)"/>' +
  "</rdf:RDF></x:xmpmeta>";

function pixels(width: number, height: number) {
  return { width, height, data: new Uint8ClampedArray(width * height * 4).fill(255) };
}

/**
 * A 64 x 48 document: a background, a group holding a hidden pixel layer and a text layer, a
 * brightness/contrast adjustment, a solid-colour fill and a half-opaque multiply layer (bottom first).
 */
function samplePsd(): Uint8Array {
  const psd: Psd = {
    width: 64,
    height: 48,
    imageResources: { xmpMetadata: CREATOR_XMP },
    children: [
      { name: "Background", imageData: pixels(64, 48), transparencyProtected: true },
      {
        name: "Group 1",
        opened: true,
        children: [
          { name: "Hidden", hidden: true, imageData: pixels(10, 10), top: 5, left: 6 },
          {
            name: "Title",
            text: {
              text: "Hello",
              transform: [1, 0, 0, 1, 10, 20],
              style: { font: { name: "ArialMT" }, fontSize: 24, fillColor: { r: 255, g: 0, b: 0 } },
            },
          },
        ],
      },
      { name: "Bright", adjustment: { type: "brightness/contrast", brightness: 10, contrast: 20 } },
      { name: "Fill", vectorFill: { type: "color", color: { r: 1, g: 2, b: 3 } } },
      { name: "Shade", imageData: pixels(8, 4), top: 40, left: 50, opacity: 0.5, blendMode: "multiply" },
    ],
  };
  return writePsdUint8Array(psd);
}

/**
 * A flattened PSD as Photoshop saves a document with only a background: empty colour-mode,
 * image-resource and layer sections, then raw 8-bit RGB composite data. (ag-psd always writes a
 * layer record, so this one is built by hand.)
 */
function flattenedPsd(width: number, height: number): Uint8Array {
  const header = Buffer.alloc(26);
  header.write("8BPS", 0, "latin1");
  header.writeUInt16BE(1, 4); // version 1 = PSD
  header.writeUInt16BE(3, 12); // channels
  header.writeUInt32BE(height, 14);
  header.writeUInt32BE(width, 18);
  header.writeUInt16BE(8, 22); // bits per channel
  header.writeUInt16BE(3, 24); // RGB
  const emptySections = Buffer.alloc(12); // colour mode data, image resources, layer and mask info
  const compression = Buffer.alloc(2); // 0 = raw
  const planes = Buffer.alloc(width * height * 3, 200);
  return new Uint8Array(Buffer.concat([header, emptySections, compression, planes]));
}

/** The one layer a flat document has, written out (not taken from the code under test). */
function flatBackground(width: number, height: number): ManifestLayer {
  return {
    id: -1,
    index: 0,
    name: "Background",
    type: "backgroundLayer",
    locked: true,
    visible: true,
    bounds: { top: 0, left: 0, width, height },
  };
}

function findLayer(layers: ManifestLayer[], name: string): ManifestLayer | undefined {
  for (const layer of layers) {
    const found = layer.name === name ? layer : findLayer(layer.children ?? [], name);
    if (found) return found;
  }
  return undefined;
}

function byName(layers: ManifestLayer[], name: string): ManifestLayer {
  const layer = findLayer(layers, name);
  if (layer === undefined) throw new Error(`no layer named ${name}`);
  return layer;
}

describe("readDocumentManifest for flat images", () => {
  it("reports a PNG as one locked background layer with id -1 and its ICC profile name", async () => {
    const manifest = await readDocumentManifest(await fixture("chelsea.png"), "chelsea.png");
    expect(manifest).toEqual({
      document: {
        name: "chelsea.png",
        width: 451,
        height: 300,
        imageMode: "rgb",
        bitDepth: 8,
        iccProfileName: "sRGB IEC61966-2.1",
      },
      layers: [flatBackground(451, 300)],
    });
  });

  it("reports a JPEG's size and profile", async () => {
    const { document, layers } = await readDocumentManifest(await fixture("rocket.jpg"), "rocket.jpg");
    expect(document).toEqual({
      name: "rocket.jpg",
      width: 640,
      height: 427,
      imageMode: "rgb",
      bitDepth: 8,
      iccProfileName: "Adobe RGB (1998)",
    });
    expect(layers.map((l) => [l.id, l.type])).toEqual([[-1, "backgroundLayer"]]);
  });

  it("reports a CMYK TIFF's mode and a 16-bit greyscale PNG's depth", async () => {
    const coffee = await fixture("coffee.png");
    const tiff = await sharp(coffee).toColourspace("cmyk").tiff().toBuffer();
    const grey16 = await sharp(coffee).toColourspace("grey16").png().toBuffer();
    const tiffManifest = await readDocumentManifest(new Uint8Array(tiff), "coffee.tif");
    const greyManifest = await readDocumentManifest(new Uint8Array(grey16), "coffee-grey.png");
    expect(tiffManifest.document).toMatchObject({ width: 600, height: 400, imageMode: "cmyk", bitDepth: 8 });
    expect(greyManifest.document).toMatchObject({ imageMode: "grayscale", bitDepth: 16 });
    expect(tiffManifest.layers[0]?.bounds).toEqual({ top: 0, left: 0, width: 600, height: 400 });
  });

  it("reports the size as displayed for a JPEG with EXIF orientation 6", async () => {
    const rotated = await sharp(await fixture("rocket.jpg"))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const { document } = await readDocumentManifest(new Uint8Array(rotated), "rotated.jpg");
    expect([document.width, document.height]).toEqual([427, 640]);
  });

  it("reports photoshopBuild only when XMP names Adobe Photoshop as the creator", async () => {
    const coffee = await fixture("coffee.png");
    const byPhotoshop = await sharp(coffee).withXmp(CREATOR_XMP).png().toBuffer();
    expect((await readDocumentManifest(new Uint8Array(byPhotoshop), "a.png")).document.photoshopBuild).toBe(
      "Adobe Photoshop 25.0 (Windows)",
    );
    // chelsea.png's XMP names f-spot, which is not a Photoshop build.
    expect((await readDocumentManifest(await fixture("chelsea.png"), "b.png")).document).not.toHaveProperty(
      "photoshopBuild",
    );
  });

  it("accepts a document larger than the 10000 px mask limit", async () => {
    const wide = await sharp({ create: { width: 12_000, height: 1, channels: 3, background: "#000" } })
      .png()
      .toBuffer();
    const { document } = await readDocumentManifest(new Uint8Array(wide), "wide.png");
    expect([document.width, document.height]).toEqual([12_000, 1]);
  });
});

describe("readDocumentManifest for PSD", () => {
  it("reads the document header and the Photoshop build from XMP", async () => {
    const { document } = await readDocumentManifest(samplePsd(), "sample.psd");
    expect(document).toEqual({
      name: "sample.psd",
      width: 64,
      height: 48,
      imageMode: "rgb",
      bitDepth: 8,
      photoshopBuild: "Adobe Photoshop 25.0 (Windows)",
    });
  });

  it("lists layers topmost first with groups nested and Photoshop z-indices", async () => {
    const { layers } = await readDocumentManifest(samplePsd(), "sample.psd");
    const outline = (list: ManifestLayer[]): unknown[] =>
      list.map((l) => (l.children ? [l.name, l.index, outline(l.children)] : [l.name, l.index]));
    // Index 1 is the group's hidden end marker, below its children.
    expect(outline(layers)).toEqual([
      ["Shade", 7],
      ["Fill", 6],
      ["Bright", 5],
      [
        "Group 1",
        4,
        [
          ["Title", 3],
          ["Hidden", 2],
        ],
      ],
      ["Background", 0],
    ]);
    expect(new Set(layers.map((l) => l.id)).size).toBe(layers.length);
  });

  it("maps each layer kind to the manifest's type", async () => {
    const { layers } = await readDocumentManifest(samplePsd(), "sample.psd");
    const types = Object.fromEntries(
      ["Background", "Group 1", "Hidden", "Title", "Bright", "Fill", "Shade"].map((name) => [
        name,
        byName(layers, name).type,
      ]),
    );
    expect(types).toEqual({
      Background: "backgroundLayer",
      "Group 1": "layerSection",
      Hidden: "layer",
      Title: "textLayer",
      Bright: "adjustmentLayer",
      Fill: "fillLayer",
      Shade: "layer",
    });
  });

  it("reports visibility, locks, bounds and blend options", async () => {
    const { layers } = await readDocumentManifest(samplePsd(), "sample.psd");
    const background = byName(layers, "Background");
    const hidden = byName(layers, "Hidden");
    expect([background.locked, background.visible]).toEqual([true, true]);
    expect(background.bounds).toEqual({ top: 0, left: 0, width: 64, height: 48 });
    expect([hidden.locked, hidden.visible]).toEqual([false, false]);
    expect(hidden.bounds).toEqual({ top: 5, left: 6, width: 10, height: 10 });
    // A group spans its children; adjustment and fill layers span the canvas.
    expect(byName(layers, "Group 1").bounds).toEqual(hidden.bounds);
    expect(byName(layers, "Group 1").blendOptions).toEqual({ opacity: 100, blendMode: "passThrough" });
    expect(byName(layers, "Bright").bounds).toEqual({ top: 0, left: 0, width: 64, height: 48 });
    expect(byName(layers, "Shade").blendOptions).toEqual({ opacity: 50, blendMode: "multiply" });
  });

  it("reports text content and style, adjustment settings and fill colour", async () => {
    const { layers } = await readDocumentManifest(samplePsd(), "sample.psd");
    expect(byName(layers, "Title").text).toEqual({
      content: "Hello",
      characterStyles: [
        {
          from: 0,
          to: 5,
          fontSize: 24,
          fontName: "ArialMT",
          orientation: "horizontal",
          fontColor: { rgb: { red: 255, green: 0, blue: 0 } },
        },
      ],
    });
    expect(byName(layers, "Bright").adjustments).toEqual({
      brightnessContrast: { brightness: 10, contrast: 20 },
    });
    expect(byName(layers, "Fill").fill).toEqual({ solidColor: { rgb: { red: 1, green: 2, blue: 3 } } });
  });

  it("reports a PSD without layer records as a single background layer with id -1", async () => {
    const flat = flattenedPsd(20, 10);
    const { document, layers } = await readDocumentManifest(flat, "flat.psd");
    expect([document.width, document.height]).toEqual([20, 10]);
    expect(layers).toEqual([flatBackground(20, 10)]);
  });

  it("reports a grayscale 16-bit PSD's mode and depth from the header", async () => {
    const psd = samplePsd();
    // Header: bytes 22-23 bit depth, 24-25 colour mode. ag-psd writes 8-bit RGB; patch the header
    // only, since layer records are read without their pixel data.
    const patched = psd.slice();
    new DataView(patched.buffer).setUint16(22, 16);
    new DataView(patched.buffer).setUint16(24, 1);
    const { document } = await readDocumentManifest(patched, "grey.psd");
    expect([document.imageMode, document.bitDepth]).toEqual(["grayscale", 16]);
  });
});

describe("readDocumentManifest errors", () => {
  it.each([
    { what: "garbage bytes", input: new Uint8Array(100).fill(0x42), reason: "unsupported-format" },
    { what: "a truncated PSD", input: samplePsd().subarray(0, 60), reason: "corrupt" },
    { what: "a bare PSD signature", input: new Uint8Array([0x38, 0x42, 0x50, 0x53]), reason: "corrupt" },
    { what: "an empty input", input: new Uint8Array(0), reason: "empty" },
  ])("rejects $what with ImageDecodeError ($reason)", async ({ input, reason }) => {
    const error = await readDocumentManifest(input, "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect(error).toMatchObject({ reason });
  });

  it("refuses a PSD whose groups nest deeper than 100 levels", async () => {
    let tree: Layer = { name: "leaf", imageData: pixels(2, 2) };
    for (let depth = 0; depth < 101; depth++) tree = { name: `group ${depth}`, children: [tree] };
    const deep = writePsdUint8Array({ width: 4, height: 4, children: [tree] });
    const error = await readDocumentManifest(deep, "deep.psd").catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ImageDecodeError", reason: "corrupt" });
    expect((error as Error).message).toContain("deeper than 100 levels");
  });

  it("refuses a PSD over the byte limit", async () => {
    await expect(
      readDocumentManifest(samplePsd(), "big.psd", { limits: { maxInputBytes: 100 } }),
    ).rejects.toMatchObject({ reason: "too-large" });
  });
});
