import type { AutoCropAspectRatio, AutoCropRequest } from "@psapi/client";
import { type Command, InvalidArgumentError, Option } from "commander";
import { usageError } from "../cli-error.js";
import { type JobOptions, jobInput, timeoutOption } from "../options.js";
import type { Session } from "../session.js";
import { parseUrlArgument } from "../validate.js";

/** The aspect ratios auto-crop accepts (its spec's enum). */
const RATIOS: readonly AutoCropAspectRatio[] = [
  "1:1",
  "16:9",
  "9:16",
  "4:3",
  "3:4",
  "4:5",
  "5:4",
  "3:2",
  "2:3",
  "21:9",
];

function parseRatio(value: string, previous: AutoCropAspectRatio[] = []): AutoCropAspectRatio[] {
  const ratio = RATIOS.find((known) => known === value);
  if (!ratio) throw new InvalidArgumentError(`expected one of ${RATIOS.join(", ")}.`);
  return [...previous, ratio];
}

function parseZoom(value: string, previous: number[] = []): number[] {
  const zoom = Number(value);
  if (value.trim() === "" || !Number.isFinite(zoom) || zoom <= 0 || zoom > 1) {
    throw new InvalidArgumentError("expected a number greater than 0 and at most 1.");
  }
  return [...previous, zoom];
}

type AutoCropOptions = JobOptions & {
  mode: AutoCropRequest["mode"];
  ratio?: AutoCropAspectRatio[];
  zoom?: number[];
  focus?: string[];
  boxesOnly?: boolean;
  outDir?: string;
};

/**
 * `psapi auto-crop`: the current contract's `POST /v1/auto-crop` (polled on `/v2/status`): one
 * crop around the photo's subject per `--ratio`, written to `--out-dir`, and the boxes printed.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerAutoCrop(program, session);
 * await program.parseAsync(["node", "psapi", "auto-crop", "shoe.jpg", "--ratio", "1:1", "--ratio", "16:9"]);
 */
export function registerAutoCrop(program: Command, session: Session): void {
  const command = program
    .command("auto-crop")
    .argument("[input]", "the photo (JPEG, PNG or WebP): a local file (emulator only) or an https URL")
    .description("crop the photo around its subject, once per aspect ratio (POST /v1/auto-crop)")
    .option("--input-url <url>", "the input as a pre-signed GET URL (instead of <input>)", parseUrlArgument)
    .addOption(
      new Option("--mode <mode>", "how to find what to crop around")
        .choices(["smartCrop", "subjectCrop", "fullSceneDetection", "objectDetection"])
        .default("smartCrop"),
    )
    .option(
      `--ratio <w:h>`,
      `an aspect ratio (repeatable, at most 20): ${RATIOS.join(", ")}; default 1:1`,
      parseRatio,
    )
    .option(
      "--zoom <z>",
      "zoom out by 1/z around the subject, 0 < z ≤ 1 (repeatable: one per --ratio)",
      parseZoom,
    )
    .option(
      "--focus <label>",
      "what to crop around, in order of preference (repeatable; needed by subjectCrop and objectDetection)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--boxes-only", "print the crop boxes only, download no image (outputType boundingBoxes)")
    .option(
      "--out-dir <dir>",
      "write the crops to this directory as <n>-<ratio>.<ext> (default out/<name>-crops)",
    )
    .addOption(timeoutOption());
  command.addHelpText(
    "after",
    "\nExamples:\n  psapi auto-crop shoe.jpg --ratio 1:1 --ratio 16:9 --ratio 4:5\n" +
      "  psapi auto-crop shoe.jpg --ratio 1:1 --zoom 0.8 --boxes-only --json",
  );
  command.action(async (input: string | undefined, _options: unknown, self: Command) => {
    const options = self.optsWithGlobals<AutoCropOptions>();
    const source = jobInput(input, options);
    const ratios = options.ratio ?? [];
    const zooms = options.zoom ?? [];
    if (ratios.length > 20)
      throw usageError(`${ratios.length} ratios: the API takes at most 20`, "drop some --ratio");
    if (zooms.length > 0 && zooms.length !== Math.max(1, ratios.length)) {
      throw usageError(
        `${zooms.length} --zoom for ${Math.max(1, ratios.length)} --ratio`,
        "give one --zoom per --ratio, or none",
      );
    }
    if (zooms.length > 0 && ratios.length === 0) {
      throw usageError("--zoom needs --ratio", "e.g. --ratio 1:1 --zoom 0.8");
    }
    const target = await session.openTarget({ baseUrl: options.baseUrl });
    const { runAutoCrop } = await import("../edit-job.js");
    const { text, data } = await runAutoCrop(session, target, {
      input: source,
      mode: options.mode,
      ratios,
      zooms,
      focus: options.focus ?? [],
      boxesOnly: options.boxesOnly === true,
      outDir: options.outDir,
      timeoutMs: options.timeout * 1000,
      cwd: session.context.cwd,
    });
    session.output.result(text, data);
  });
}
