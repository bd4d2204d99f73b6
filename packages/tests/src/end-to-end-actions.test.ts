import { JobFailedError, jobOutputs } from "@psapi/client";
import { type Psd, readPsd } from "ag-psd";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { downloadHosted } from "./harness/current.js";
import { BLUE, GREEN, RED, type Rgb, template, WHITE } from "./harness/documents.js";
import { actionJsonRows } from "./harness/emulator-readme.js";
import { type Transport, useEnvironment } from "./harness/environment.js";
import { readFixture } from "./harness/images.js";

const COFFEE = { file: "coffee.png", width: 600, height: 400 } as const;

async function rgba(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const inline = (commands: unknown[]) => ({
  source: { content: JSON.stringify(commands), contentType: "application/json" },
});

/** A 48 × 32 PNG in four quadrants of 24 × 16: red, green / blue, white; every turn and cut shows. */
const QUAD = { width: 48, height: 32 } as const;
async function quadPng(): Promise<Uint8Array<ArrayBuffer>> {
  const data = Buffer.alloc(QUAD.width * QUAD.height * 4);
  for (let y = 0; y < QUAD.height; y++)
    for (let x = 0; x < QUAD.width; x++) {
      const rgb = y < 16 ? (x < 24 ? RED : GREEN) : x < 24 ? BLUE : WHITE;
      data.set([...rgb, 255], (y * QUAD.width + x) * 4);
    }
  return new Uint8Array(
    await sharp(data, { raw: { ...QUAD, channels: 4 } })
      .png()
      .toBuffer(),
  );
}

type Image = Awaited<ReturnType<typeof rgba>>;
/** The RGBA of a pixel. */
const at = (image: Image, x: number, y: number) => [
  ...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4),
];
/** Each channel within `tolerance` of `rgb` and opaque. */
const near = (actual: number[], rgb: readonly number[], tolerance = 0) =>
  [...rgb, 255].every((value, i) => Math.abs((actual[i] ?? -999) - value) <= tolerance);
const inverse = (rgb: Rgb): Rgb => [255 - rgb[0], 255 - rgb[1], 255 - rgb[2]];

const px = (value: number) => ({ _unit: "pixelsUnit", _value: value });
const TARGET = [{ _ref: "layer", _enum: "ordinal", _value: "targetEnum" }];
const DOCUMENT = [{ _ref: "document", _enum: "ordinal", _value: "first" }];
const select = (name: string) => ({ _obj: "select", _target: [{ _ref: "layer", _name: name }] });
const makeText = {
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
};

/**
 * One job per row of the emulator's ActionJSON subset (COMMANDS, listed in its README), checked in
 * its pixels or, for text, in the PSD it writes. The commands that need a layer tree run on the
 * template PSD of the document suites (a white background, the red "Badge" at (10,10) 30×20, the
 * blue smart object "Product" at (60,30) 40×20); the others on a small PNG of four colours. `under`
 * is the index of the command the case is about (default: the last); the others set it up.
 */
const COMMAND_CASES: {
  name: string;
  input: "template" | "quad";
  commands: Record<string, unknown>[];
  under?: number;
  psd?: boolean;
  check(out: { image?: Image; psd?: Psd }): void;
}[] = [
  {
    name: "select makes the named layer active (the background is inverted, the badge is not)",
    input: "template",
    commands: [select("Background"), { _obj: "invert" }],
    under: 0,
    check: ({ image }) => {
      expect(at(image as Image, 5, 70)).toEqual([...inverse(WHITE), 255]);
      expect(at(image as Image, 20, 15)).toEqual([...RED, 255]);
    },
  },
  {
    name: "delete removes the active layer's pixels",
    input: "template",
    commands: [select("Badge"), { _obj: "delete", _target: TARGET }],
    check: ({ image }) => {
      expect(at(image as Image, 20, 15)).toEqual([...WHITE, 255]);
      expect(at(image as Image, 80, 40)).toEqual([...BLUE, 255]);
    },
  },
  {
    name: "hide takes a named layer out of the picture",
    input: "template",
    commands: [{ _obj: "hide", null: [{ _ref: "layer", _name: "Badge" }] }],
    check: ({ image }) => expect(at(image as Image, 20, 15)).toEqual([...WHITE, 255]),
  },
  {
    name: "show brings a hidden layer back",
    input: "template",
    commands: [
      { _obj: "hide", null: [{ _ref: "layer", _name: "Badge" }] },
      { _obj: "show", null: [{ _ref: "layer", _name: "Badge" }] },
    ],
    check: ({ image }) => expect(at(image as Image, 20, 15)).toEqual([...RED, 255]),
  },
  {
    name: "set of a layer's opacity 50 % mixes it with what is below",
    input: "template",
    commands: [
      select("Badge"),
      { _obj: "set", _target: TARGET, to: { _obj: "layer", opacity: { _unit: "percentUnit", _value: 50 } } },
    ],
    check: ({ image }) =>
      expect(near(at(image as Image, 20, 15), [(220 + 250) / 2, (30 + 250) / 2, (30 + 250) / 2], 2)).toBe(
        true,
      ),
  },
  {
    name: "set of a text layer's textKey changes its text",
    input: "template",
    psd: true,
    commands: [
      makeText,
      {
        _obj: "set",
        _target: [{ _ref: "textLayer", _enum: "ordinal", _value: "targetEnum" }],
        to: { _obj: "textLayer", textKey: "Sale" },
      },
    ],
    check: ({ psd }) => expect(psd?.children?.find((layer) => layer.text)?.text?.text).toBe("Sale"),
  },
  {
    name: "set of the text style sets its size and colour",
    input: "template",
    psd: true,
    commands: [
      makeText,
      {
        _obj: "set",
        _target: [
          { _ref: "property", _property: "textStyle" },
          { _ref: "textLayer", _enum: "ordinal", _value: "targetEnum" },
        ],
        to: {
          _obj: "textStyle",
          size: { _unit: "pointsUnit", _value: 48 },
          color: { _obj: "RGBColor", red: 255, grain: 0, blue: 0 },
        },
      },
    ],
    check: ({ psd }) => {
      const style = psd?.children?.find((layer) => layer.text)?.text?.style;
      expect([style?.fontSize, style?.fillColor]).toEqual([48, { r: 255, g: 0, b: 0 }]);
    },
  },
  {
    name: "make adds a text layer on top",
    input: "template",
    psd: true,
    commands: [makeText],
    check: ({ psd }) => {
      expect(psd?.children?.map((layer) => layer.name).slice(0, 3)).toEqual([
        "Background",
        "Badge",
        "Product",
      ]);
      expect(psd?.children?.at(-1)?.text?.text).toBe("Hello");
    },
  },
  {
    name: "move shifts the active layer by its offset",
    input: "template",
    commands: [
      select("Badge"),
      { _obj: "move", _target: TARGET, to: { _obj: "offset", horizontal: px(50), vertical: px(0) } },
    ],
    check: ({ image }) => {
      expect(at(image as Image, 20, 15)).toEqual([...WHITE, 255]);
      expect(at(image as Image, 70, 15)).toEqual([...RED, 255]);
    },
  },
  {
    name: "flattenImage leaves one Background layer that holds the picture",
    input: "template",
    psd: true,
    commands: [{ _obj: "flattenImage" }],
    check: ({ psd }) => {
      expect(psd?.children?.map((layer) => layer.name)).toEqual(["Background"]);
      const pixels = psd?.children?.[0]?.imageData as ImageData;
      expect([...pixels.data.subarray((15 * 120 + 20) * 4, (15 * 120 + 20) * 4 + 4)]).toEqual([...RED, 255]);
      expect([...pixels.data.subarray((40 * 120 + 80) * 4, (40 * 120 + 80) * 4 + 4)]).toEqual([...BLUE, 255]);
    },
  },
  {
    name: "invert turns each colour to 255 minus itself",
    input: "quad",
    commands: [{ _obj: "invert" }],
    check: ({ image }) => {
      expect(at(image as Image, 5, 5)).toEqual([...inverse(RED), 255]);
      expect(at(image as Image, 40, 25)).toEqual([...inverse(WHITE), 255]);
    },
  },
  {
    name: "desaturate greys each pixel at its HSL lightness",
    input: "quad",
    commands: [{ _obj: "desaturate" }],
    check: ({ image }) => {
      expect(at(image as Image, 5, 5)).toEqual([125, 125, 125, 255]);
      expect(at(image as Image, 5, 25)).toEqual([135, 135, 135, 255]);
    },
  },
  {
    name: "flip of the document mirrors the canvas",
    input: "quad",
    commands: [{ _obj: "flip", _target: DOCUMENT, axis: { _enum: "orientation", _value: "horizontal" } }],
    check: ({ image }) => {
      expect(at(image as Image, 5, 5)).toEqual([...GREEN, 255]);
      expect(at(image as Image, 40, 5)).toEqual([...RED, 255]);
    },
  },
  {
    name: "flip of the active layer mirrors it in place",
    input: "quad",
    commands: [{ _obj: "flip", axis: { _enum: "orientation", _value: "vertical" } }],
    check: ({ image }) => {
      expect(at(image as Image, 5, 5)).toEqual([...BLUE, 255]);
      expect(at(image as Image, 40, 25)).toEqual([...GREEN, 255]);
    },
  },
  {
    name: "rotateEventEnum by 90° turns the canvas clockwise",
    input: "quad",
    commands: [{ _obj: "rotateEventEnum", _target: DOCUMENT, angle: { _unit: "angleUnit", _value: 90 } }],
    check: ({ image }) => {
      expect([image?.width, image?.height]).toEqual([32, 48]);
      // (x, y) → (31 − y, x): the red corner is now top right, the blue one top left.
      expect(at(image as Image, 26, 5)).toEqual([...RED, 255]);
      expect(at(image as Image, 5, 5)).toEqual([...BLUE, 255]);
    },
  },
  {
    name: "imageSize at 50 % halves the document",
    input: "quad",
    commands: [
      { _obj: "imageSize", width: { _unit: "percentUnit", _value: 50 }, constrainProportions: true },
    ],
    check: ({ image }) => {
      expect([image?.width, image?.height]).toEqual([24, 16]);
      expect(near(at(image as Image, 4, 4), RED, 4)).toBe(true);
      expect(near(at(image as Image, 20, 12), WHITE, 4)).toBe(true);
    },
  },
  {
    name: "canvasSize adds transparent canvas on the side away from its anchor",
    input: "quad",
    commands: [
      {
        _obj: "canvasSize",
        width: px(20),
        relative: true,
        horizontal: { _enum: "horizontalLocation", _value: "left" },
      },
    ],
    check: ({ image }) => {
      expect([image?.width, image?.height]).toEqual([68, 32]);
      expect(at(image as Image, 5, 5)).toEqual([...RED, 255]);
      expect(at(image as Image, 60, 5)[3]).toBe(0);
    },
  },
  {
    name: "crop keeps the rectangle",
    input: "quad",
    commands: [
      {
        _obj: "crop",
        to: { _obj: "rectangle", top: px(8), left: px(12), bottom: px(24), right: px(36) },
        delete: true,
      },
    ],
    check: ({ image }) => {
      expect([image?.width, image?.height]).toEqual([24, 16]);
      expect(at(image as Image, 0, 0)).toEqual([...RED, 255]);
      expect(at(image as Image, 23, 15)).toEqual([...WHITE, 255]);
    },
  },
  {
    name: "trim takes back transparent canvas",
    input: "quad",
    commands: [
      { _obj: "canvasSize", width: px(20), height: px(20), relative: true },
      {
        _obj: "trim",
        trimBasedOn: { _enum: "trimBasedOn", _value: "transparency" },
        top: true,
        bottom: true,
        left: true,
        right: true,
      },
    ],
    check: ({ image }) => {
      expect([image?.width, image?.height]).toEqual([48, 32]);
      expect(at(image as Image, 0, 0)).toEqual([...RED, 255]);
    },
  },
];

/** The target form of a command as the emulator's table reads it (see its README). */
function targetForm(command: Record<string, unknown>): string {
  const list = command._target ?? command.null;
  const [first] = (Array.isArray(list) ? list : list === undefined ? [] : [list]) as Record<
    string,
    unknown
  >[];
  if (!first) return "none";
  if (first._ref === "property" && typeof first._property === "string") return `property:${first._property}`;
  return typeof first._ref === "string" ? first._ref : "none";
}

/** The `_obj` of a command's argument (`to` of set and move, `using` of make). */
function argumentOf(command: Record<string, unknown>): string | undefined {
  const value = (command.to ?? command.using) as { _obj?: unknown } | undefined;
  return typeof value?._obj === "string" ? value._obj : undefined;
}

// execute-actions end to end through the client (`@psapi/client/all`), on the emulator in process and on a port:
// the ActionJSON is played for real, so the output's pixels are the input's, transformed. Every
// row of the emulator's subset runs on both transports, one small job each (about 7 s of CPU for
// the file), and the last test of each transport fails if a row of the table went unplayed.
describe.each<Transport>(["in-process", "port"])(
  "end to end: executeActions through the client, %s",
  (transport) => {
    const env = useEnvironment(
      { transport, emulator: { jobs: { pendingMs: 0, runningMs: 0 } } },
      { per: "describe" },
    );

    it("plays invert, a horizontal canvas flip and a 20 px canvas extension, and the PNG shows all three", async () => {
      const original = await readFixture(COFFEE.file);
      const url = await env().control.putObject("actions-coffee.png", original, "image/png");
      const job = await env().client.executeActions({
        image: { source: { url } },
        options: {
          actions: [
            inline([
              { _obj: "invert" },
              {
                _obj: "flip",
                _target: [{ _ref: "document", _enum: "ordinal", _value: "first" }],
                axis: { _enum: "orientation", _value: "horizontal" },
              },
              {
                _obj: "canvasSize",
                width: { _unit: "pixelsUnit", _value: 20 },
                relative: true,
                horizontal: { _enum: "horizontalLocation", _value: "left" },
              },
            ]),
          ],
        },
        outputs: [{ destination: { validityPeriod: 600 }, mediaType: "image/png" }],
      });
      const done = await job.wait();
      expect(done.status).toBe("succeeded");
      const [file] = jobOutputs(done);
      expect(file?.mediaType).toBe("image/png");
      const out = await rgba(await downloadHosted(env(), file?.url as string));
      const input = await rgba(original);
      expect([out.width, out.height]).toEqual([COFFEE.width + 20, COFFEE.height]);
      // Output (x, y) is the input's (599 - x, y) inverted; the 20 px added on the right are transparent.
      for (const [x, y] of [
        [0, 0],
        [100, 50],
        [333, 222],
        [599, 399],
      ] as const) {
        const o = (y * out.width + x) * 4;
        const i = (y * input.width + (COFFEE.width - 1 - x)) * 4;
        expect([...out.data.subarray(o, o + 4)], `(${x}, ${y})`).toEqual([
          255 - (input.data[i] as number),
          255 - (input.data[i + 1] as number),
          255 - (input.data[i + 2] as number),
          255,
        ]);
      }
      expect(out.data[(10 * out.width + 610) * 4 + 3]).toBe(0);
    });

    /** The table row each command case played, by case name. */
    const played = new Map<string, string>();
    const rows = actionJsonRows();
    const rowKey = (row: (typeof rows)[number]) =>
      `${row.obj} ${row.targets.join(",")} ${row.argument ?? ""}`;

    it.each(COMMAND_CASES)("one command: $name", async (example) => {
      const command = example.commands[example.under ?? example.commands.length - 1] ?? {};
      const row = rows.find(
        (candidate) =>
          candidate.obj === command._obj &&
          candidate.targets.includes(targetForm(command)) &&
          (candidate.argument === undefined || candidate.argument === argumentOf(command)),
      );
      expect(row, "a row of the emulator's table plays the command").toBeDefined();
      const [key, bytes, type] =
        example.input === "template"
          ? [`cmd-${example.name}.psd`, template(), "image/vnd.adobe.photoshop"]
          : [`cmd-${example.name}.png`, await quadPng(), "image/png"];
      const url = await env().control.putObject(key, bytes, type);
      const mediaType = example.psd ? "image/vnd.adobe.photoshop" : "image/png";
      const job = await env().client.executeActions({
        image: { source: { url } },
        options: { actions: [inline(example.commands)] },
        outputs: [{ destination: { validityPeriod: 600 }, mediaType }],
      });
      const done = await job.wait();
      expect(done.status).toBe("succeeded");
      const output = await downloadHosted(env(), jobOutputs(done)[0]?.url as string);
      example.check(
        example.psd
          ? {
              psd: readPsd(output, { useImageData: true, skipCompositeImageData: true, skipThumbnail: true }),
            }
          : { image: await rgba(output) },
      );
      played.set(example.name, rowKey(row as (typeof rows)[number]));
    });

    it("has played every row of the emulator's ActionJSON table (its README's rows), each in a job of its own", () => {
      expect(rows.length).toBeGreaterThan(10);
      expect(new Set(played.values()).size, "no two cases play the same row").toBe(COMMAND_CASES.length);
      expect([...new Set(played.values())].sort()).toEqual(rows.map(rowKey).sort());
    });

    it("rejects wait() with the job's failure naming the command the emulator does not play", async () => {
      const url = await env().control.putObject(
        "actions-coffee.png",
        await readFixture(COFFEE.file),
        "image/png",
      );
      const job = await env().client.executeActions({
        image: { source: { url } },
        options: { actions: [inline([{ _obj: "invert" }, { _obj: "neuralGalleryFilters" }])] },
        outputs: [{ destination: { validityPeriod: 600 }, mediaType: "image/png" }],
      });
      const error = await job.wait().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(JobFailedError);
      const [failure] = (error as JobFailedError).errors;
      expect(failure?.errorCode).toBe("emulator_unsupported_action");
      expect(failure?.message).toContain("'neuralGalleryFilters' at index 1");
    });
  },
);
