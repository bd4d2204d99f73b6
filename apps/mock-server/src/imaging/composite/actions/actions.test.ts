import { readFileSync } from "node:fs";
import type { components } from "@psapi/openapi-types/photoshop-current";
import { type Layer, type Psd, readPsd, writePsdUint8Array } from "ag-psd";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { DEFAULT_IMAGE_LIMITS } from "../../input.js";
import { DocumentError } from "../errors.js";
import { filled, type Pixels, preparePsdPixels } from "../pixels.js";
import { COMMANDS, executeActions, parseActionJson } from "./index.js";

type Request = components["schemas"]["ExecuteActionsRequest"];
type Rgb = [number, number, number];

preparePsdPixels();

// The fixture of the create-composite tests (composite.test.ts), built the same way.
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
  id: number,
): Layer {
  return {
    id,
    name,
    left,
    top,
    right: left + width,
    bottom: top + height,
    imageData: filled(width, height, rgb),
  };
}

/** A 100 x 60 PSD: a red background, a green box at (10,10) 20x20, a blue box at (40,20) 30x30. */
function poster(extra: Layer[] = []): Uint8Array {
  const psd: Psd = {
    width: 100,
    height: 60,
    children: [
      box("Background", RED, 0, 0, 100, 60, 1),
      box("Green", GREEN, 10, 10, 20, 20, 2),
      box("Blue", BLUE, 40, 20, 30, 30, 3),
      ...extra,
    ],
  };
  return writePsdUint8Array(psd, { noBackground: true });
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

const TARGET = [{ _ref: "layer", _enum: "ordinal", _value: "targetEnum" }];
const selectName = (name: string) => ({ _obj: "select", _target: [{ _ref: "layer", _name: name }] });

async function play(commands: object[], outputs = PNG_OUT, file = poster()) {
  const request = {
    image: { source: { url: "https://x.amazonaws.com/in.psd" } },
    options: {
      actions: [{ source: { content: JSON.stringify(commands), contentType: "application/json" } }],
    },
    outputs,
  } as Request;
  return executeActions(request, {
    files: new Map([["/image/source", file]]),
    mode: "strict",
    limits: DEFAULT_IMAGE_LIMITS,
    title: "in.psd",
  });
}

async function png(commands: object[], file?: Uint8Array): Promise<Pixels> {
  const { outputs } = await play(commands, PNG_OUT, file);
  return pixelsOf(outputs[0]?.bytes as Uint8Array);
}

async function failure(promise: Promise<unknown>): Promise<DocumentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DocumentError);
  return error as DocumentError;
}

describe("the ActionJSON subset, played on a real PSD", () => {
  it("plays nothing differently from the document itself (the baseline of the other tests)", async () => {
    const out = await png([selectName("Blue")]);
    expect([out.width, out.height]).toEqual([100, 60]);
    expect(at(out, 5, 5)).toEqual([...RED, 255]);
    expect(at(out, 15, 15)).toEqual([...GREEN, 255]);
    expect(at(out, 50, 30)).toEqual([...BLUE, 255]);
  });

  it("invert really inverts the active layer's pixels, and only that layer", async () => {
    const out = await png([selectName("Green"), { _obj: "invert" }]);
    expect(at(out, 15, 15)).toEqual([255 - 30, 255 - 200, 255 - 60, 255]);
    expect(at(out, 5, 5)).toEqual([...RED, 255]);
    expect(at(out, 50, 30)).toEqual([...BLUE, 255]);
  });

  it("desaturate gives r = g = b at the HSL lightness", async () => {
    const out = await png([selectName("Blue"), { _obj: "desaturate" }]);
    const [r, g, b] = at(out, 50, 30);
    expect(r).toBe(g);
    expect(g).toBe(b);
    expect(r).toBe(Math.round((230 + 40) / 2));
    expect(at(out, 15, 15)).toEqual([...GREEN, 255]);
  });

  it("opacity changes the composite: 50% blue over red is their mix", async () => {
    const out = await png([
      selectName("Blue"),
      { _obj: "set", _target: TARGET, to: { _obj: "layer", opacity: { _unit: "percentUnit", _value: 50 } } },
    ]);
    const [r, g, b] = at(out, 50, 30) as [number, number, number];
    // ag-psd keeps opacity as a byte: 50% is 128/255.
    expect(Math.abs(r - (220 + 40) / 2)).toBeLessThanOrEqual(2);
    expect(Math.abs(g - (30 + 60) / 2)).toBeLessThanOrEqual(2);
    expect(Math.abs(b - (30 + 230) / 2)).toBeLessThanOrEqual(2);
  });

  it("hide removes the layer's pixels from the composite, show brings them back", async () => {
    const hidden = await png([{ _obj: "hide", null: [{ _ref: "layer", _name: "Green" }] }]);
    expect(at(hidden, 15, 15)).toEqual([...RED, 255]);
    const shown = await png([
      { _obj: "hide", null: [{ _ref: "layer", _name: "Green" }] },
      { _obj: "show", null: [{ _ref: "layer", _name: "Green" }] },
    ]);
    expect(at(shown, 15, 15)).toEqual([...GREEN, 255]);
  });

  it("delete removes the layer from the tree and its pixels from the composite", async () => {
    const { outputs } = await play(
      [selectName("Blue"), { _obj: "delete", _target: TARGET }],
      [...PNG_OUT, ...PSD_OUT],
    );
    const out = await pixelsOf(outputs[0]?.bytes as Uint8Array);
    expect(at(out, 50, 30)).toEqual([...RED, 255]);
    const psd = readPsd(outputs[1]?.bytes as Uint8Array, {
      skipLayerImageData: true,
      skipCompositeImageData: true,
    });
    expect(psd.children?.map((l) => l.name)).toEqual(["Background", "Green"]);
  });

  it("selects by _id and by _index (1 = the bottom layer)", async () => {
    const byId = await png([{ _obj: "select", _target: [{ _ref: "layer", _id: 2 }] }, { _obj: "invert" }]);
    expect(at(byId, 15, 15)).toEqual([225, 55, 195, 255]);
    const byIndex = await png([
      { _obj: "select", _target: [{ _ref: "layer", _index: 3 }] },
      { _obj: "invert" },
    ]);
    expect(at(byIndex, 50, 30)).toEqual([215, 195, 25, 255]);
  });

  it("flip of the canvas mirrors the picture", async () => {
    const out = await png([
      {
        _obj: "flip",
        _target: [{ _ref: "document", _enum: "ordinal", _value: "first" }],
        axis: { _enum: "orientation", _value: "horizontal" },
      },
    ]);
    // The green box at x 10-29 lands at 70-89; the blue at 40-69 at 30-59.
    expect(at(out, 85, 15)).toEqual([...GREEN, 255]);
    expect(at(out, 15, 15)).toEqual([...RED, 255]);
    expect(at(out, 35, 30)).toEqual([...BLUE, 255]);
    const vertical = await png([
      {
        _obj: "flip",
        _target: [{ _ref: "document", _enum: "ordinal", _value: "first" }],
        axis: { _enum: "orientation", _value: "vertical" },
      },
    ]);
    // Green at y 10-29 lands at 30-49.
    expect(at(vertical, 15, 45)).toEqual([...GREEN, 255]);
    expect(at(vertical, 15, 15)).toEqual([...RED, 255]);
  });

  it("flip of a layer mirrors its pixels in place", async () => {
    const half = box("Half", BLUE, 0, 0, 20, 10, 4);
    (half.imageData as Pixels).data.set(filled(10, 1, GREEN).data.subarray(0, 40), 0); // first row: 10 green px on the left
    const out = await png(
      [selectName("Half"), { _obj: "flip", axis: { _enum: "orientation", _value: "horizontal" } }],
      poster([half]),
    );
    expect(at(out, 15, 0)).toEqual([...GREEN, 255]);
    expect(at(out, 5, 0)).toEqual([...BLUE, 255]);
  });

  it("rotate by 90° turns the canvas clockwise", async () => {
    const out = await png([
      {
        _obj: "rotateEventEnum",
        _target: [{ _ref: "document", _enum: "ordinal", _value: "first" }],
        angle: { _unit: "angleUnit", _value: 90 },
      },
    ]);
    expect([out.width, out.height]).toEqual([60, 100]);
    // (x, y) → (59 - y, x): the green pixel (15, 15) lands at (44, 15).
    expect(at(out, 44, 15)).toEqual([...GREEN, 255]);
    expect(at(out, 15, 15)).toEqual([...RED, 255]);
  });

  it("image size resizes the document (percent and pixels)", async () => {
    const half = await png([
      { _obj: "imageSize", width: { _unit: "percentUnit", _value: 50 }, constrainProportions: true },
    ]);
    expect([half.width, half.height]).toEqual([50, 30]);
    const exact = await png([
      {
        _obj: "imageSize",
        width: { _unit: "pixelsUnit", _value: 200 },
        height: { _unit: "pixelsUnit", _value: 90 },
      },
    ]);
    expect([exact.width, exact.height]).toEqual([200, 90]);
  });

  it("canvas size extends the canvas around the layers, which keep their pixels", async () => {
    const out = await png([
      {
        _obj: "canvasSize",
        width: { _unit: "pixelsUnit", _value: 20 },
        height: { _unit: "pixelsUnit", _value: 10 },
        relative: true,
        horizontal: { _enum: "horizontalLocation", _value: "center" },
        vertical: { _enum: "verticalLocation", _value: "center" },
      },
    ]);
    expect([out.width, out.height]).toEqual([120, 70]);
    expect(at(out, 2, 2)[3]).toBe(0);
    expect(at(out, 15 + 10, 15 + 5)).toEqual([...GREEN, 255]);
  });

  it("crop keeps the rectangle", async () => {
    const out = await png([
      {
        _obj: "crop",
        to: {
          _obj: "rectangle",
          top: { _unit: "pixelsUnit", _value: 10 },
          left: { _unit: "pixelsUnit", _value: 10 },
          bottom: { _unit: "pixelsUnit", _value: 50 },
          right: { _unit: "pixelsUnit", _value: 70 },
        },
        delete: true,
      },
    ]);
    expect([out.width, out.height]).toEqual([60, 40]);
    expect(at(out, 0, 0)).toEqual([...GREEN, 255]);
    expect(at(out, 59, 39)).toEqual([...BLUE, 255]);
  });

  it("trim on transparency takes back a transparent canvas extension", async () => {
    const out = await png([
      {
        _obj: "canvasSize",
        width: { _unit: "pixelsUnit", _value: 30 },
        height: { _unit: "pixelsUnit", _value: 30 },
        relative: true,
      },
      {
        _obj: "trim",
        trimBasedOn: { _enum: "trimBasedOn", _value: "transparency" },
        top: true,
        bottom: true,
        left: true,
        right: true,
      },
    ]);
    expect([out.width, out.height]).toEqual([100, 60]);
    expect(at(out, 15, 15)).toEqual([...GREEN, 255]);
  });

  it("flatten leaves one Background layer holding the composite", async () => {
    const { outputs } = await play([{ _obj: "flattenImage" }], [...PSD_OUT, ...PNG_OUT]);
    const psd = readPsd(outputs[0]?.bytes as Uint8Array, { useImageData: true });
    expect(psd.children?.map((l) => l.name)).toEqual(["Background"]);
    const layer = psd.children?.[0]?.imageData as Pixels;
    expect(at(layer, 15, 15)).toEqual([...GREEN, 255]);
    expect(at(await pixelsOf(outputs[1]?.bytes as Uint8Array), 50, 30)).toEqual([...BLUE, 255]);
  });

  it("move translates the layer", async () => {
    const out = await png([
      selectName("Green"),
      {
        _obj: "move",
        _target: TARGET,
        to: {
          _obj: "offset",
          horizontal: { _unit: "pixelsUnit", _value: 50 },
          vertical: { _unit: "pixelsUnit", _value: 0 },
        },
      },
    ]);
    expect(at(out, 15, 15)).toEqual([...RED, 255]);
    expect(at(out, 65, 15)).toEqual([...GREEN, 255]);
  });

  it("the text recipe (make, set textLayer, set textStyle) is written into a PSD output", async () => {
    const { outputs } = await play(
      [
        {
          _obj: "make",
          _target: [{ _ref: "textLayer" }],
          using: {
            _obj: "textLayer",
            textKey: "Hello",
            textClickPoint: {
              horizontal: { _unit: "percentUnit", _value: 50 },
              vertical: { _unit: "percentUnit", _value: 50 },
            },
          },
        },
        {
          _obj: "set",
          _target: [{ _ref: "textLayer", _enum: "ordinal", _value: "targetEnum" }],
          to: { _obj: "textLayer", textKey: "Summer sale" },
        },
        {
          _obj: "set",
          _target: [
            { _ref: "property", _property: "textStyle" },
            { _ref: "textLayer", _enum: "ordinal", _value: "targetEnum" },
          ],
          to: {
            _obj: "textStyle",
            textOverrideFeatureName: 808465458,
            typeStyleOperationType: 3,
            size: { _unit: "pointsUnit", _value: 48 },
            color: { _obj: "RGBColor", red: 255, grain: 0, blue: 0 },
          },
        },
      ],
      PSD_OUT,
    );
    const psd = readPsd(outputs[0]?.bytes as Uint8Array, {
      skipLayerImageData: true,
      skipCompositeImageData: true,
    });
    const text = psd.children?.find((l) => l.text)?.text;
    expect(text?.text).toBe("Summer sale");
    expect(text?.style?.fontSize).toBe(48);
    expect(text?.style?.fillColor).toEqual({ r: 255, g: 0, b: 0 });
  });

  it("new text under missingFontStrategy fail needs its font among additionalFonts", async () => {
    const request = {
      image: { source: { url: "https://x.amazonaws.com/in.psd" } },
      options: {
        fontOptions: { missingFontStrategy: "fail" },
        actions: [
          {
            source: {
              content: JSON.stringify([
                {
                  _obj: "make",
                  _target: [{ _ref: "textLayer" }],
                  using: { _obj: "textLayer", textKey: "Hi" },
                },
              ]),
              contentType: "application/json",
            },
          },
        ],
      },
      outputs: PSD_OUT,
    } as Request;
    const options = {
      files: new Map([["/image/source", poster()]]),
      mode: "strict" as const,
      limits: DEFAULT_IMAGE_LIMITS,
      title: "in.psd",
    };
    const error = await failure(executeActions(request, options));
    expect(error.code).toBe("emulator_missing_font");
    expect(error.message).toContain("ArialMT");
  });

  it("refuses to draw text it set into a raster output (strict mode), never a fake picture", async () => {
    const error = await failure(
      play([{ _obj: "make", _target: [{ _ref: "textLayer" }], using: { _obj: "textLayer", textKey: "Hi" } }]),
    );
    expect(error.code).toBe("emulator_unsupported");
  });
});

describe("what the emulator does not play fails the job, naming it", () => {
  it("a command outside the subset: emulator_unsupported_action with its _obj and index", async () => {
    const error = await failure(
      play([selectName("Blue"), { _obj: "invert" }, { _obj: "autoCutout", sampleAllLayers: false }]),
    );
    expect(error.code).toBe("emulator_unsupported_action");
    expect(error.pointer).toBe("/options/actions/0/source/content/2");
    expect(error.message).toContain("'autoCutout'");
    expect(error.message).toContain("index 2");
  });

  it("Adobe's product-crop recipe fails at its first step, autoCutout (no subject detection offline)", async () => {
    const px = (value: number) => ({ _unit: "pixelsUnit", _value: value });
    const recipe = [
      { _obj: "autoCutout", sampleAllLayers: false },
      {
        _obj: "make",
        new: { _class: "channel" },
        at: { _ref: "channel", _enum: "channel", _value: "mask" },
        using: { _enum: "userMaskEnabled", _value: "revealSelection" },
      },
      { _obj: "newPlacedLayer" },
      { _obj: "trim", trimBasedOn: { _enum: "trimBasedOn", _value: "transparency" } },
      { _obj: "canvasSize", width: px(10), height: px(10), relative: true },
      { _obj: "placedLayerConvertToLayers" },
      { _obj: "delete", _target: [{ _ref: "channel", _enum: "channel", _value: "mask" }] },
      { _obj: "trim", trimBasedOn: { _enum: "trimBasedOn", _value: "transparency" } },
    ];
    const error = await failure(play(recipe));
    expect(error.code).toBe("emulator_unsupported_action");
    expect(error.pointer).toBe("/options/actions/0/source/content/0");
    expect(error.message).toContain("'autoCutout'");
  });

  it("a known command with a target form outside the subset (delete of a channel)", async () => {
    const error = await failure(
      play([{ _obj: "delete", _target: [{ _ref: "channel", _enum: "channel", _value: "mask" }] }]),
    );
    expect(error.code).toBe("emulator_unsupported_action");
    expect(error.message).toContain("target channel");
  });

  it("an argument the handler does not play is named, not ignored", async () => {
    const error = await failure(
      play([
        {
          _obj: "set",
          _target: TARGET,
          to: {
            _obj: "layer",
            opacity: { _unit: "percentUnit", _value: 10 },
            mode: { _enum: "blendMode", _value: "multiply" },
          },
        },
      ]),
    );
    expect(error.code).toBe("emulator_unsupported_action");
    expect(error.message).toContain("'to.mode'");
  });

  it("a layer the document does not have: 400401", async () => {
    const error = await failure(play([selectName("Nope")]));
    expect(error.code).toBe("400401");
    expect(error.message).toContain("'Nope'");
  });

  it("an .atn file, a UXP script and a scriptOutputPattern output", async () => {
    const base = { image: { source: { url: "https://x.amazonaws.com/in.psd" } }, outputs: PNG_OUT };
    const options = {
      files: new Map([["/image/source", poster()]]),
      mode: "strict" as const,
      limits: DEFAULT_IMAGE_LIMITS,
      title: "in.psd",
    };
    const atn = await failure(
      executeActions(
        {
          ...base,
          options: { actions: [{ source: { url: "https://x.amazonaws.com/a.atn" }, actionName: "Web" }] },
        } as Request,
        options,
      ),
    );
    expect(atn.code).toBe("emulator_unsupported_action");
    expect(atn.message).toContain("'Web'");
    const uxp = await failure(
      executeActions(
        {
          ...base,
          options: { uxp: { source: { content: "1", contentType: "application/javascript" } } },
        } as Request,
        options,
      ),
    );
    expect(uxp.code).toBe("emulator_unsupported_script");
    const pattern = await failure(
      executeActions(
        {
          ...base,
          options: { actions: [{ source: { content: "[]", contentType: "application/json" } }] },
          outputs: [
            {
              destination: { embedded: "json" },
              mediaType: "application/json",
              scriptOutputPattern: "*.json",
            },
          ],
        } as Request,
        options,
      ),
    );
    expect(pattern.code).toBe("emulator_unsupported_script");
  });
});

describe("the command table", () => {
  it("has a handler and a summary on every row, and no two rows for the same form", () => {
    const forms = COMMANDS.flatMap((row) => row.targets.map((t) => `${row.obj}|${t}|${row.argument ?? ""}`));
    expect(new Set(forms).size).toBe(forms.length);
    for (const row of COMMANDS) {
      expect(typeof row.handler).toBe("function");
      expect(row.summary.length).toBeGreaterThan(10);
    }
  });

  it("is the README's table of the subset, row for row: _obj, target forms, argument and summary", () => {
    const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
    const lines = readme.split("\n");
    const header = lines.findIndex((line) => /^\| `_obj` +\| target forms +\|/.test(line));
    expect(header, "the README's ActionJSON table").toBeGreaterThan(0);
    const end = lines.findIndex((line, i) => i > header && !line.startsWith("|"));
    const rows = lines.slice(header + 2, end).map((line) =>
      line
        .slice(1, -1)
        .split("|")
        .map((cell) => cell.trim()),
    );
    const code = (value: string) => `\`${value}\``;
    expect(rows).toEqual(
      COMMANDS.map((row) => [
        code(row.obj),
        row.targets.map(code).join(", "),
        row.argument ? code(row.argument) : "",
        row.summary,
      ]),
    );
  });

  it("parses inline ActionJSON strictly: an array of objects with a string _obj", () => {
    expect(parseActionJson('[{"_obj":"invert"}]')).toEqual([{ _obj: "invert" }]);
    expect(() => parseActionJson("{")).toThrow(/not valid JSON/);
    expect(() => parseActionJson('{"_obj":"invert"}')).toThrow(/array/);
    expect(() => parseActionJson('[{"name":"x"}]')).toThrow(/_obj/);
    expect(() => parseActionJson("[1]")).toThrow(/object/);
  });
});
