import type { Command } from "commander";
import { addJobOptions, type JobOptions, jobInput } from "../options.js";
import type { Session } from "../session.js";
import { maskInput } from "./mask-body-parts.js";

/**
 * `psapi refine-mask`: the current contract's `POST /v1/refine-mask`: a rough `--mask` of the
 * photo refined along the subject's edges (or, with `--cutout`, the refined cutout), written to `--out`.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerRefineMask(program, session);
 * await program.parseAsync(["node", "psapi", "refine-mask", "dog.jpg", "--mask", "rough.png"]);
 */
export function registerRefineMask(program: Command, session: Session): void {
  const command = addJobOptions(
    program
      .command("refine-mask")
      .argument("[input]", "the photo: a local file (emulator only) or an https URL")
      .description("refine a rough mask of the photo along the subject's edges (POST /v1/refine-mask)"),
    { what: "the refined mask PNG", outputUrl: false, defaultOut: "out/<name>-refined-mask.png" },
  )
    .option("--mask <mask>", "the rough PNG mask, of the photo's size: a local file or an https URL")
    .option("--cutout", "return the refined cutout (RGBA, colours decontaminated) instead of the mask")
    .addHelpText(
      "after",
      "\nExample:\n  psapi refine-mask dog.jpg --mask out/dog-masks/1-dog.png --out out/dog-refined.png",
    );
  command.action(async (input: string | undefined, _options: unknown, self: Command) => {
    const options = self.optsWithGlobals<JobOptions & { mask?: string; cutout?: boolean }>();
    const source = jobInput(input, options);
    const mask = maskInput(options.mask, "e.g. --mask rough.png (from psapi mask-objects)");
    const target = await session.openTarget({ baseUrl: options.baseUrl });
    const { runRefineMask } = await import("../masking-job.js");
    const { text, data } = await runRefineMask(session, target, {
      input: source,
      mask,
      cutout: options.cutout === true,
      out: options.out,
      timeoutMs: options.timeout * 1000,
      cwd: session.context.cwd,
    });
    session.output.result(text, data);
  });
}
