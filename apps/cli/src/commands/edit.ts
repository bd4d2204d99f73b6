import type { LightroomEdits } from "@psapi/client";
import { type Command, InvalidArgumentError, Option } from "commander";
import { usageError } from "../cli-error.js";
import { addJobOptions, inputFlag, type JobOptions, jobInput } from "../options.js";
import type { Session } from "../session.js";

/**
 * A parser for a number flag in Adobe's documented range: out of range, not a number, or a
 * fraction where an integer is expected is refused with the range in the message.
 */
function inRange(min: number, max: number, integer: boolean): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (
      value.trim() === "" ||
      !Number.isFinite(number) ||
      number < min ||
      number > max ||
      (integer && !Number.isInteger(number))
    ) {
      throw new InvalidArgumentError(
        `expected ${integer ? "an integer" : "a number"} from ${min} to ${max}.`,
      );
    }
    return number;
  };
}

/** The adjustment flags: flag name, request category and field, range. One row each. */
const SLIDERS = [
  ["exposure", "light", "exposure", -5, 5, false, "exposure in stops"],
  ["contrast", "light", "contrast", -100, 100, true, "contrast"],
  ["highlights", "light", "highlights", -100, 100, true, "highlights"],
  ["shadows", "light", "shadows", -100, 100, true, "shadows"],
  ["whites", "light", "whites", -100, 100, true, "whites"],
  ["blacks", "light", "blacks", -100, 100, true, "blacks"],
  ["saturation", "color", "saturation", -100, 100, true, "saturation (−100 is greyscale)"],
  ["vibrance", "color", "vibrance", -100, 100, true, "vibrance"],
  ["clarity", "effects", "clarity", -100, 100, true, "clarity"],
  ["dehaze", "effects", "dehaze", -100, 100, true, "dehaze"],
  ["texture", "effects", "texture", -100, 100, true, "texture"],
  ["vignette", "effects", "vignette", -100, 100, true, "vignette (negative darkens the corners)"],
  ["sharpen-radius", "sharpen", "radius", 0.5, 3, false, "sharpening radius in px"],
  ["sharpen-detail", "sharpen", "detail", 0, 100, true, "sharpening detail"],
  ["sharpen-edge-masking", "sharpen", "edgeMasking", 0, 100, true, "sharpening edge masking"],
  ["noise-reduction", "noiseReduction", "luminance", 0, 100, true, "luminance noise reduction"],
  ["color-noise-reduction", "noiseReduction", "color", 0, 100, true, "colour noise reduction"],
] as const;

/** `--exposure` → `exposure`, `--sharpen-edge-masking` → `sharpenEdgeMasking` (commander's option keys). */
const keyOf = (flag: string) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

type EditOptions = JobOptions & {
  autoTone?: boolean;
  sharpness?: number;
  whiteBalance?: string;
  preset?: string[];
  xmp?: string;
  type: "jpeg" | "png";
} & Record<string, unknown>;

/**
 * `psapi edit`: the current contract's `POST /v2/edit`: Lightroom-style adjustments of one photo
 * (light, colour, effects, sharpening, noise reduction, auto tone, presets, an XMP look), written
 * to `--out` as JPEG or PNG.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerEdit(program, session);
 * await program.parseAsync(["node", "psapi", "edit", "beach.jpg", "--exposure", "0.5"]);
 */
export function registerEdit(program: Command, session: Session): void {
  const command = addJobOptions(
    program
      .command("edit")
      .argument("[input]", "the photo: a local file (emulator only) or an https URL")
      .description("Lightroom-style edits of the photo: light, colour, detail, presets, XMP (POST /v2/edit)"),
    { what: "the edited image", outputUrl: false, defaultOut: "out/<name>-edited.<type>" },
  );
  for (const [flag, , , min, max, integer, what] of SLIDERS) {
    command.addOption(
      new Option(`--${flag} <n>`, `${what}, ${min} to ${max}`).argParser(inRange(min, max, integer)),
    );
  }
  command
    .addOption(new Option("--sharpness <n>", "sharpening amount, 0 to 150").argParser(inRange(0, 150, true)))
    .option("--auto-tone", "let the API set the tone automatically")
    .addOption(
      new Option("--white-balance <preset>", "white balance").choices([
        "As Shot",
        "Auto",
        "Cloudy",
        "Custom",
        "Daylight",
        "Flash",
        "Fluorescent",
        "Shade",
        "Tungsten",
      ]),
    )
    .option(
      "--preset <file>",
      "a Lightroom preset (XMP): a local file (emulator only) or an https URL (repeatable, at most 10)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--xmp <file>", "an XMP file of settings: a local file (emulator only) or an https URL")
    .addOption(new Option("--type <type>", "the output format").choices(["jpeg", "png"]).default("jpeg"))
    .addHelpText(
      "after",
      "\nExamples:\n  psapi edit beach.jpg --exposure 0.5 --contrast 20 --vibrance 15\n" +
        "  psapi edit beach.jpg --auto-tone --preset looks/warm.xmp --type png --out out/beach.png",
    );
  command.action(async (input: string | undefined, _options: unknown, self: Command) => {
    const options = self.optsWithGlobals<EditOptions>();
    const source = jobInput(input, options);
    const edits: Record<string, Record<string, number>> = {};
    for (const [flag, category, field] of SLIDERS) {
      const value = options[keyOf(flag)];
      if (typeof value !== "number") continue;
      edits[category] = { ...edits[category], [field]: value };
    }
    const presets = (options.preset ?? []).map((value) => inputFlag("--preset", value));
    if (presets.length > 10)
      throw usageError(`${presets.length} presets: the API takes at most 10`, "drop some --preset");
    const request: Omit<LightroomEdits, "presets" | "xmp"> = {
      ...edits,
      ...(options.sharpness === undefined ? {} : { sharpness: options.sharpness }),
      ...(options.autoTone ? { autoTone: true } : {}),
    };
    if (options.whiteBalance !== undefined) {
      request.color = {
        ...request.color,
        whiteBalance: options.whiteBalance as NonNullable<LightroomEdits["color"]>["whiteBalance"],
      };
    }
    if (Object.keys(request).length === 0 && presets.length === 0 && options.xmp === undefined) {
      throw usageError(
        "no edit given",
        "pass at least one adjustment, e.g. --exposure 0.5, --auto-tone or --preset look.xmp",
      );
    }
    const target = await session.openTarget({ baseUrl: options.baseUrl });
    const { runEdit } = await import("../edit-job.js");
    const { text, data } = await runEdit(session, target, {
      input: source,
      edits: request,
      presets,
      xmp: options.xmp === undefined ? undefined : inputFlag("--xmp", options.xmp),
      mediaType: options.type === "png" ? "image/png" : "image/jpeg",
      out: options.out,
      timeoutMs: options.timeout * 1000,
      cwd: session.context.cwd,
    });
    session.output.result(text, data);
  });
}
