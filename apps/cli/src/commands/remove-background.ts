import { extname } from "node:path";
import type { RemoveBackgroundV2Request } from "@psapi/client";
import { type Command, InvalidArgumentError, Option } from "commander";
import { addJobOptions, type JobOptions, jobInput } from "../options.js";
import type { Session } from "../session.js";
import type { InputSource } from "../validate.js";

/** `--output-type` choices and the media type each one asks for. */
const OUTPUT_TYPES = {
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
  psd: "image/vnd.adobe.photoshop",
} as const;
type OutputType = keyof typeof OUTPUT_TYPES;
type Mode = NonNullable<RemoveBackgroundV2Request["mode"]>;

/** What `remove-background` takes besides the job options. */
interface RemoveBackgroundOptions extends JobOptions {
  mode: Mode;
  outputType?: OutputType;
  trim?: boolean;
  background?: NonNullable<RemoveBackgroundV2Request["backgroundColor"]>;
  colorDecontamination?: number;
}

/**
 * Parses `--background`: `#rrggbb`, `#rrggbbaa`, or `r,g,b[,a]` with r, g, b in 0-255 and a in 0-1
 * (Adobe's `backgroundColor`, where alpha 0 is transparent).
 *
 * @throws {InvalidArgumentError} When it is none of these.
 * @example
 * parseColor("#ffffff") // { red: 255, green: 255, blue: 255, alpha: 1 }
 */
export function parseColor(value: string): NonNullable<RemoveBackgroundV2Request["backgroundColor"]> {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})?$/i.exec(value.trim());
  if (hex) {
    const [red, green, blue] = [hex[1], hex[2], hex[3]].map((part) => Number.parseInt(part ?? "0", 16));
    const alpha = hex[4] === undefined ? 1 : Number.parseInt(hex[4], 16) / 255;
    return { red: red ?? 0, green: green ?? 0, blue: blue ?? 0, alpha: Math.round(alpha * 1000) / 1000 };
  }
  const parts = value.split(",").map((part) => part.trim());
  const numbers = parts.map(Number);
  const [red, green, blue, alpha = 1] = numbers;
  const channel = (n: number | undefined) => n !== undefined && Number.isFinite(n) && n >= 0 && n <= 255;
  if (
    (parts.length === 3 || parts.length === 4) &&
    parts.every((part) => part !== "") &&
    channel(red) &&
    channel(green) &&
    channel(blue) &&
    Number.isFinite(alpha) &&
    alpha >= 0 &&
    alpha <= 1
  ) {
    return { red: red ?? 0, green: green ?? 0, blue: blue ?? 0, alpha };
  }
  throw new InvalidArgumentError("expected #rrggbb, #rrggbbaa, or r,g,b[,a] (0-255, alpha 0-1).");
}

function parseUnitInterval(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0 || number > 1) {
    throw new InvalidArgumentError("expected a number from 0 to 1.");
  }
  return number;
}

/**
 * The file extension the result will have, known before the job runs so that `--out` is checked
 * first: `psd` mode writes a PSD; otherwise `--output-type`, else the input's own type (Adobe's
 * default), else PNG.
 */
export function resultExtension(mode: Mode, outputType: OutputType | undefined, input: InputSource): string {
  if (mode === "psd" || outputType === "psd") return "psd";
  if (outputType !== undefined) return outputType === "jpeg" ? "jpg" : outputType;
  const own = extname(input.kind === "file" ? input.path : input.url.pathname).toLowerCase();
  return [".png", ".jpg", ".jpeg", ".webp"].includes(own) ? own.slice(1) : "png";
}

/**
 * `psapi remove-background`: the current contract's `POST /v2/remove-background` (which replaced
 * `/sensei/mask` and `/sensei/cutout` on 2025-10-15): a cutout, a mask or a layered PSD of the
 * photo's subject, downloaded from where the API hosts it to `--out`.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerRemoveBackground(program, session);
 * await program.parseAsync(["node", "psapi", "remove-background", "cat.jpg", "--mode", "mask"]);
 */
export function registerRemoveBackground(program: Command, session: Session): void {
  const command = addJobOptions(
    program
      .command("remove-background")
      .argument("[input]", "the photo: a local file (emulator only) or an https URL")
      .description(
        "cut out the photo's subject, or make its mask or a layered PSD (POST /v2/remove-background)",
      ),
    { what: "the result", outputUrl: false, defaultOut: "out/<name>-<mode>.<type>" },
  )
    .addOption(
      new Option("--mode <mode>", "cutout: the subject on transparency; mask: greyscale; psd: layered")
        .choices(["cutout", "mask", "psd"])
        .default("cutout"),
    )
    .addOption(
      new Option("--output-type <type>", "the result's type (default: the input's)").choices(
        Object.keys(OUTPUT_TYPES),
      ),
    )
    .option("--trim", "crop the result to the subject")
    .option("--background <color>", "fill the background: #rrggbb[aa] or r,g,b[,a]", parseColor)
    .option(
      "--color-decontamination <0-1>",
      "remove the background's colour cast from the subject (default 1)",
      parseUnitInterval,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  psapi remove-background cat.jpg --mode mask\n" +
        "  psapi remove-background cat.jpg --background '#ffffff' --output-type jpeg --trim\n" +
        "  psapi remove-background 'https://bucket.s3.amazonaws.com/cat.jpg?X-Amz-…' --mode psd",
    );
  command.action(async (input: string | undefined, _options: unknown, self: Command) => {
    const options = self.optsWithGlobals<RemoveBackgroundOptions>();
    const source = jobInput(input, options);
    const target = await session.openTarget({ baseUrl: options.baseUrl });
    const { runRemoveBackground } = await import("../current-job.js");
    const { text, data } = await runRemoveBackground(session, target, {
      input: source,
      mode: options.mode,
      outputType: options.outputType === undefined ? undefined : OUTPUT_TYPES[options.outputType],
      extension: resultExtension(options.mode, options.outputType, source),
      trim: options.trim,
      backgroundColor: options.background,
      colorDecontamination: options.colorDecontamination,
      out: options.out,
      timeoutMs: options.timeout * 1000,
      cwd: session.context.cwd,
    });
    session.output.result(text, data);
  });
}
