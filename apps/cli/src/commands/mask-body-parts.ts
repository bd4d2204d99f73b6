import type { Command } from "commander";
import { usageError } from "../cli-error.js";
import { inputFlag, type JobOptions, jobInput, timeoutOption } from "../options.js";
import type { Session } from "../session.js";
import { type InputSource, parseUrlArgument } from "../validate.js";

/** `--mask` as an input, or a usage error naming it (missing, or not a file or https URL). */
export function maskInput(mask: string | undefined, hint: string): InputSource {
  if (mask === undefined) throw usageError("missing --mask: the mask the operation starts from", hint);
  return inputFlag("--mask", mask);
}

/**
 * `psapi mask-body-parts`: the current contract's `POST /v1/mask-body-parts`: one PNG mask per
 * body part of the person a `--mask` outlines, written to `--out-dir` with its label, score and box.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerMaskBodyParts(program, session);
 * await program.parseAsync(["node", "psapi", "mask-body-parts", "runner.jpg", "--mask", "person.png"]);
 */
export function registerMaskBodyParts(program: Command, session: Session): void {
  const command = program
    .command("mask-body-parts")
    .argument("[input]", "the photo: a local file (emulator only) or an https URL")
    .description("one mask per body part of the person in the photo (POST /v1/mask-body-parts)")
    .option("--input-url <url>", "the input as a pre-signed GET URL (instead of <input>)", parseUrlArgument)
    .option("--mask <mask>", "the person's PNG mask, of the photo's size: a local file or an https URL")
    .option("--granular", "left and right labels for arms, legs, hands and feet (useGranularLabels)")
    .option(
      "--out-dir <dir>",
      "write the masks to this directory as <n>-<label>.png (default out/<name>-body-parts)",
    )
    .addOption(timeoutOption());
  command.addHelpText(
    "after",
    "\nExample:\n  psapi remove-background runner.jpg --mode mask --out out/person.png\n" +
      "  psapi mask-body-parts runner.jpg --mask out/person.png --granular",
  );
  command.action(async (input: string | undefined, _options: unknown, self: Command) => {
    const options = self.optsWithGlobals<
      JobOptions & { mask?: string; granular?: boolean; outDir?: string }
    >();
    const source = jobInput(input, options);
    const mask = maskInput(options.mask, "e.g. --mask person.png (from psapi remove-background --mode mask)");
    const target = await session.openTarget({ baseUrl: options.baseUrl });
    const { runMaskBodyParts } = await import("../masking-job.js");
    const { text, data } = await runMaskBodyParts(session, target, {
      input: source,
      mask,
      granular: options.granular === true,
      outDir: options.outDir,
      timeoutMs: options.timeout * 1000,
      cwd: session.context.cwd,
    });
    session.output.result(text, data);
  });
}
