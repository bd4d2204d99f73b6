import { type Command, Option } from "commander";
import { addJobOptions, type JobOptions, jobInput } from "../options.js";
import type { Session } from "../session.js";

/**
 * `psapi mask` and `psapi cutout`: create a mask of the main subject, or cut it out of its
 * background, and write the PNG to `--out` (or let the API write it to `--output-url`).
 *
 * @param program - The program to add the commands to.
 * @param session - The run.
 * @example
 * registerImageCommands(program, session);
 * await program.parseAsync(["node", "psapi", "mask", "cat.png"]);
 */
export function registerImageCommands(program: Command, session: Session): void {
  const mask = addJobOptions(
    program
      .command("mask")
      .argument("[input]", "the photo: a local file (emulator only) or an https URL")
      .description(
        "create a greyscale mask of the photo's main subject (POST /sensei/mask, retired by Adobe; " +
          "see remove-background --mode mask)",
      ),
    { what: "the mask PNG", outputUrl: true, defaultOut: "out/<name>-mask.png" },
  )
    .addOption(
      new Option("--format <format>", "soft edges or a hard 0/255 mask")
        .choices(["soft", "binary"])
        .default("soft"),
    )
    .addHelpText(
      "after",
      "\nExamples:\n  psapi mask cat.jpg --out out/cat-mask.png\n" +
        "  psapi mask --input-url 'https://bucket.s3.amazonaws.com/cat.png?X-Amz-…' --output-url 'https://…'",
    );
  mask.action(async (input: string | undefined, _options: unknown, command: Command) => {
    const options = command.optsWithGlobals<JobOptions & { format: "soft" | "binary" }>();
    await runImageCommand(session, "mask", input, options);
  });

  const cutout = addJobOptions(
    program
      .command("cutout")
      .argument("[input]", "the photo: a local file (emulator only) or an https URL")
      .description(
        "remove the photo's background: an RGBA PNG of the subject (POST /sensei/cutout, retired by " +
          "Adobe; see remove-background)",
      ),
    { what: "the cut-out PNG", outputUrl: true, defaultOut: "out/<name>-cutout.png" },
  ).addHelpText("after", "\nExample:\n  psapi cutout cat.jpg --out out/cat-cutout.png");
  cutout.action(async (input: string | undefined, _options: unknown, command: Command) => {
    await runImageCommand(session, "cutout", input, command.optsWithGlobals<JobOptions>());
  });
}

async function runImageCommand(
  session: Session,
  kind: "mask" | "cutout",
  input: string | undefined,
  options: JobOptions & { format?: "soft" | "binary" },
): Promise<void> {
  const source = jobInput(input, options);
  const target = await session.openTarget({ baseUrl: options.baseUrl });
  // On Adobe's own host the endpoint is retired: say so at once, in one line (see retired-command.ts);
  // the client then refuses to send it, and explainError words its RetiredOperationError.
  if (target.kind === "adobe") {
    const { retiredCommandLine } = await import("../retired-command.js");
    session.output.note(retiredCommandLine(kind === "mask" ? "createMask" : "removeBackground"));
  }
  const { runImageJob } = await import("../job.js");
  const { text, data } = await runImageJob(session, target, {
    kind,
    input: source,
    outputUrl: options.outputUrl,
    out: options.out,
    format: options.format,
    timeoutMs: options.timeout * 1000,
    cwd: session.context.cwd,
  });
  session.output.result(text, data);
}
