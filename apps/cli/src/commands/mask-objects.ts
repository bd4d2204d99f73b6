import type { Command } from "commander";
import { type JobOptions, jobInput, timeoutOption } from "../options.js";
import type { Session } from "../session.js";
import { parseUrlArgument } from "../validate.js";

/**
 * `psapi mask-objects`: the current contract's `POST /v1/mask-objects`: one PNG mask per object
 * and background region the API finds, written to `--out-dir` with its label, score and box.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerMaskObjects(program, session);
 * await program.parseAsync(["node", "psapi", "mask-objects", "street.jpg"]);
 */
export function registerMaskObjects(program: Command, session: Session): void {
  const command = program
    .command("mask-objects")
    .argument("[input]", "the photo: a local file (emulator only) or an https URL")
    .description("one mask per object and background region of the photo (POST /v1/mask-objects)")
    .option("--input-url <url>", "the input as a pre-signed GET URL (instead of <input>)", parseUrlArgument)
    .option(
      "--out-dir <dir>",
      "write the masks to this directory as <n>-<label>.png (default out/<name>-masks)",
    )
    .addOption(timeoutOption());
  command.addHelpText("after", "\nExample:\n  psapi mask-objects street.jpg --out-dir out/street");
  command.action(async (input: string | undefined, _options: unknown, self: Command) => {
    const options = self.optsWithGlobals<JobOptions & { outDir?: string }>();
    const source = jobInput(input, options);
    const target = await session.openTarget({ baseUrl: options.baseUrl });
    const { runMaskObjects } = await import("../current-job.js");
    const { text, data } = await runMaskObjects(session, target, {
      input: source,
      outDir: options.outDir,
      timeoutMs: options.timeout * 1000,
      cwd: session.context.cwd,
    });
    session.output.result(text, data);
  });
}
