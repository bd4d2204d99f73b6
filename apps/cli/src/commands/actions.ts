import { type Command, Option } from "commander";
import { DOCUMENT_TYPES, type DocumentType } from "../document-job.js";
import { addJobOptions, type JobOptions, jobInput } from "../options.js";
import type { Session } from "../session.js";

interface ActionsOptions extends JobOptions {
  actions?: string;
  actionName?: string;
  type: DocumentType;
}

/**
 * `psapi actions`: plays Photoshop actions on a document (`POST /v2/execute-actions`, which
 * replaced psdService's photoshopActions, actionJSON, productCrop and text): inline ActionJSON
 * from a file or the command line, or an `.atn` action set.
 *
 * @example
 * registerActions(program, session);
 * await program.parseAsync(["node", "psapi", "actions", "poster.psd", "--actions", '[{"_obj":"invert"}]']);
 */
export function registerActions(program: Command, session: Session): void {
  addJobOptions(
    program
      .command("actions")
      .argument("[input]", "a PSD or an image: a local file (emulator only) or an https URL")
      .description(
        "play Photoshop actions or ActionJSON on a document and render it (POST /v2/execute-actions)",
      ),
    { what: "the result", outputUrl: false, defaultOut: "out/<name>-actions.<type>" },
  )
    .requiredOption(
      "--actions <json|file>",
      "the ActionJSON to play: a JSON array typed here, a .json file holding one, or an .atn action set (file or https URL)",
    )
    .option("--action-name <name>", "with an .atn set: play only this action of it")
    .addOption(
      new Option("--type <type>", "the result's type").choices(Object.keys(DOCUMENT_TYPES)).default("png"),
    )
    .addHelpText(
      "after",
      '\nActionJSON is Photoshop\'s batchPlay format: an array of commands, each naming its event in "_obj".\n' +
        "The emulator plays a subset for real (select, delete, hide, show, set opacity, move, invert,\n" +
        "desaturate, flip, rotate, flatten, image and canvas size, crop, trim, text) and fails the job,\n" +
        "naming the command, for anything else, an .atn set included (see @psapi/mock-server's README).\n\n" +
        "Examples:\n" +
        '  psapi actions poster.psd --actions \'[{"_obj":"flattenImage"},{"_obj":"invert"}]\'\n' +
        "  psapi actions banner.psd --actions steps.json --type psd --out out/banner.psd\n" +
        "  psapi actions photo.psd --actions https://example.com/set.atn --action-name 'Resize to Web'",
    )
    .action(async (input: string | undefined, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<ActionsOptions>();
      const source = jobInput(input, options);
      const target = await session.openTarget({ baseUrl: options.baseUrl });
      const { runActions } = await import("../actions-job.js");
      const { text, data } = await runActions(session, target, {
        input: source,
        actions: options.actions ?? "",
        actionName: options.actionName,
        type: options.type,
        out: options.out,
        timeoutMs: options.timeout * 1000,
        cwd: session.context.cwd,
      });
      session.output.result(text, data);
    });
}
