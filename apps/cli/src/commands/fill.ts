import type { Command } from "commander";
import { usageError } from "../cli-error.js";
import { addJobOptions, type JobOptions, jobInput } from "../options.js";
import type { Session } from "../session.js";
import { parseInputArgument } from "../validate.js";

/**
 * `psapi fill`: the current contract's `POST /v1/fill-masked-areas`: the photo with the areas its
 * masks cover (white) removed and filled from their surroundings, written to `--out`.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerFill(program, session);
 * await program.parseAsync(["node", "psapi", "fill", "beach.jpg", "--mask", "person.png"]);
 */
export function registerFill(program: Command, session: Session): void {
  const command = addJobOptions(
    program
      .command("fill")
      .argument("[input]", "the photo: a local file (emulator only) or an https URL")
      .description("fill the masked areas of the photo from their surroundings (POST /v1/fill-masked-areas)"),
    { what: "the filled image", outputUrl: false, defaultOut: "out/<name>-filled.<type>" },
  )
    .option(
      "--mask <mask>",
      "a PNG mask of the photo's size, white where to fill: a local file or an https URL (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addHelpText(
      "after",
      "\nExamples:\n  psapi fill beach.jpg --mask out/beach-masks/1-person.png\n" +
        "  psapi mask-objects beach.jpg && psapi fill beach.jpg --mask out/beach-masks/1-person.png",
    );
  command.action(async (input: string | undefined, _options: unknown, self: Command) => {
    const options = self.optsWithGlobals<JobOptions & { mask?: string[] }>();
    const source = jobInput(input, options);
    if (options.mask === undefined || options.mask.length === 0) {
      throw usageError(
        "missing --mask: the areas to fill",
        "e.g. --mask person.png (from psapi mask-objects)",
      );
    }
    const masks = options.mask.map((mask) => {
      try {
        return parseInputArgument(mask);
      } catch (error) {
        throw usageError(
          `--mask ${mask}: ${(error as Error).message.replace(/\.$/, "")}`,
          "--mask is a local file or an https:// URL",
        );
      }
    });
    const target = await session.openTarget({ baseUrl: options.baseUrl });
    const { runFill } = await import("../current-job.js");
    const { text, data } = await runFill(session, target, {
      input: source,
      masks,
      out: options.out,
      timeoutMs: options.timeout * 1000,
      cwd: session.context.cwd,
    });
    session.output.result(text, data);
  });
}
