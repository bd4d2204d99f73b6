import { type Command, InvalidArgumentError, Option } from "commander";
import { usageError } from "../cli-error.js";
import { addJobOptions, type JobOptions, jobInput, timeoutOption } from "../options.js";
import type { Session } from "../session.js";
import { parseInputArgument } from "../validate.js";

const TYPES = ["png", "jpeg", "tiff", "psd"] as const;
type DocumentType = (typeof TYPES)[number];

function positiveInteger(what: string, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || number < 1 || number > max) {
      throw new InvalidArgumentError(`expected ${what} from 1 to ${max}.`);
    }
    return number;
  };
}

function nonNegativeInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number > 32000)
    throw new InvalidArgumentError("expected pixels from 0 to 32000.");
  return number;
}

interface CompositeOptions extends JobOptions {
  edits?: string;
  type: DocumentType;
  width?: number;
}

interface ArtboardOptions extends JobOptions {
  spacing?: number;
  type: DocumentType;
}

/**
 * `psapi composite` and `psapi artboard`: the Photoshop API v2 document operations
 * (`POST /v2/create-composite`, `POST /v2/create-artboard`), which replaced psdService's
 * documentCreate, documentOperations, renditionCreate, smartObject and artboardCreate.
 *
 * @example
 * registerDocumentCommands(program, session);
 * await program.parseAsync(["node", "psapi", "composite", "banner.psd", "--edits", "edits.json"]);
 */
export function registerDocumentCommands(program: Command, session: Session): void {
  addJobOptions(
    program
      .command("composite")
      .argument("[input]", "a PSD or an image: a local file (emulator only) or an https URL")
      .description("convert a document, or edit its layers, and render it (POST /v2/create-composite)"),
    { what: "the result", outputUrl: false, defaultOut: "out/<name>-composite.<type>" },
  )
    .option(
      "--edits <file>",
      'a JSON file with the edits: {"layers": [...], "document": {...}}; local files named in it are uploaded',
    )
    .addOption(new Option("--type <type>", "the result's type").choices(TYPES).default("png"))
    .option("--width <px>", "scale the result to this width (aspect kept)", positiveInteger("a width", 32000))
    .addHelpText(
      "after",
      "\nThe edits file is create-composite's `edits`: layer entries run first to last (add, edit, move,\n" +
        "delete), then document edits (resize, crop, trim). A source URL may be a path relative to the file.\n\n" +
        "Examples:\n  psapi composite design.psd --type jpeg\n" +
        "  psapi composite banner.psd --edits edits.json --out out/banner.png\n" +
        '  edits.json: {"layers": [{"type": "layer", "name": "Old badge", "operation": {"type": "delete"}}]}',
    )
    .action(async (input: string | undefined, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<CompositeOptions>();
      const source = jobInput(input, options);
      const target = await session.openTarget({ baseUrl: options.baseUrl });
      const { runComposite } = await import("../document-job.js");
      const { text, data } = await runComposite(session, target, {
        input: source,
        editsFile: options.edits,
        type: options.type,
        width: options.width,
        out: options.out,
        timeoutMs: options.timeout * 1000,
        cwd: session.context.cwd,
      });
      session.output.result(text, data);
    });

  program
    .command("artboard")
    .argument("<images...>", "1 to 25 images or PSDs: local files (emulator only) or https URLs")
    .description("lay images out as artboards, left to right, in a new document (POST /v2/create-artboard)")
    .option("--spacing <px>", "the gap between artboards (default 50)", nonNegativeInteger)
    .addOption(new Option("--type <type>", "the result's type").choices(TYPES).default("psd"))
    .option("--out <file>", "write the result to this file (default out/artboards.<type>)")
    .addOption(timeoutOption())
    .addHelpText("after", "\nExample:\n  psapi artboard front.png back.png --spacing 100 --out out/board.psd")
    .action(async (images: string[], _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<ArtboardOptions>();
      if (images.length > 25)
        throw usageError(
          `${images.length} images: create-artboard takes 1 to 25`,
          "split them over several runs",
        );
      const inputs = images.map((image) => {
        try {
          return parseInputArgument(image);
        } catch (error) {
          throw usageError(
            `<images> ${image}: ${(error as Error).message.replace(/\.$/, "")}`,
            "each image is a local file or an https:// URL",
          );
        }
      });
      const target = await session.openTarget({ baseUrl: options.baseUrl });
      const { runArtboard } = await import("../document-job.js");
      const { text, data } = await runArtboard(session, target, {
        inputs,
        spacing: options.spacing,
        type: options.type,
        out: options.out,
        timeoutMs: options.timeout * 1000,
        cwd: session.context.cwd,
      });
      session.output.result(text, data);
    });
}
