import type { components } from "@psapi/openapi-types/photoshop-current";
import { openDocument, type WorkingDocument } from "../document.js";
import { DocumentError, unsupported } from "../errors.js";
import { postScriptName } from "../fonts.js";
import { createDocument, type DocumentJobOptions, type DocumentJobResult } from "../index.js";
import { type RenderedOutput, renderOutput } from "../outputs.js";
import { type Descriptor, parseActionJson, unsupportedCommand } from "./action-json.js";
import { type CommandRow, commandRow } from "./commands.js";
import type { ActionContext, ActionFonts } from "./handlers.js";

export { ActionJsonError, parseActionJson } from "./action-json.js";
export { COMMANDS, type CommandRow } from "./commands.js";

type Schemas = components["schemas"];
type Request = Schemas["ExecuteActionsRequest"];

/** One command of the request, ready to play: its row, index in its list and JSON pointer. */
interface Planned {
  command: Descriptor;
  index: number;
  pointer: string;
  row: CommandRow;
}

/** `options.uxp`, whichever form the request used (an object, or an array of one). */
export function uxpOf(request: Request): Schemas["UxpResource"] | undefined {
  const uxp = request.options.uxp;
  return Array.isArray(uxp) ? uxp[0] : uxp;
}

/**
 * Every command of the request in playing order, each matched to its row of the command table,
 * before anything is opened: what the emulator cannot play fails the job here, the first such
 * item named. An `.atn` file and a command outside the subset fail `emulator_unsupported_action`;
 * a UXP script or a `scriptOutputPattern` output `emulator_unsupported_script`.
 */
export function planActions(request: Request): Planned[] {
  const planned: Planned[] = [];
  for (const [i, action] of (request.options.actions ?? []).entries()) {
    const at = `/options/actions/${i}/source`;
    if (!("content" in action.source)) {
      throw new DocumentError(
        "emulator_unsupported_action",
        at,
        `the action file at ${at}${action.actionName ? ` (action '${action.actionName}')` : ""} is not played: the offline emulator has no player for .atn action sets; send the steps as inline ActionJSON`,
      );
    }
    for (const [j, command] of parseActionJson(action.source.content).entries()) {
      const pointer = `${at}/content/${j}`;
      const row = commandRow(command);
      if (!row) throw unsupportedCommand(pointer, command, j);
      planned.push({ command, index: j, pointer, row });
    }
  }
  if (uxpOf(request)) {
    throw new DocumentError(
      "emulator_unsupported_script",
      "/options/uxp",
      "the UXP script at /options/uxp is not run: the offline emulator has no UXP runtime, and a fake one would give a fake result",
    );
  }
  for (const [i, output] of request.outputs.entries()) {
    if (output.scriptOutputPattern !== undefined) {
      throw new DocumentError(
        "emulator_unsupported_script",
        `/outputs/${i}/scriptOutputPattern`,
        `the scriptOutputPattern output at /outputs/${i} takes files a UXP script writes, and the offline emulator runs no UXP script`,
      );
    }
  }
  return planned;
}

function actionFonts(request: Request, files: DocumentJobOptions["files"]): ActionFonts {
  const options = request.options.fontOptions;
  const provided = new Set<string>();
  for (const [i] of (options?.additionalFonts ?? []).entries()) {
    const pointer = `/options/fontOptions/additionalFonts/${i}/source`;
    const bytes = files.get(pointer);
    const name = bytes ? postScriptName(bytes) : undefined;
    if (bytes && !name) throw unsupported(pointer, "a font file that is not TrueType or OpenType");
    if (name) provided.add(name);
  }
  return {
    provided,
    defaultFont: options?.defaultFontPostScriptName ?? "ArialMT",
    missing: options?.missingFontStrategy ?? "use_default",
  };
}

/** The topmost layer: what Photoshop makes active when it opens a document without more to go on. */
function topmost(doc: WorkingDocument) {
  const children = doc.psd.children ?? [];
  return children[children.length - 1];
}

/**
 * `POST /v2/execute-actions`, done for real for the emulator's subset of ActionJSON (see
 * {@link COMMANDS}): opens the document (a PSD with its layers, an image as one layer, or a new
 * document), plays every command of every action in order on it, then renders each output as
 * create-composite does.
 *
 * @throws DocumentError for what the emulator will not fake (see {@link planActions}) or what the
 *   document shows wrong (`400401`: a layer that is not there); ImageDecodeError for an unreadable image.
 */
export async function executeActions(
  request: Request,
  options: DocumentJobOptions,
): Promise<DocumentJobResult> {
  const planned = planActions(request);
  const { files, mode, limits } = options;
  const fonts = actionFonts(request, files);
  let doc: WorkingDocument;
  if ("source" in request.image) {
    const bytes = files.get("/image/source");
    if (!bytes) throw new Error("[@psapi/mock-server] the document was not downloaded");
    doc = await openDocument(bytes, mode, limits, planned.length > 0 ? "layers" : "full");
  } else {
    doc = createDocument(request.image, mode, limits, false);
  }
  const ctx: ActionContext = { doc, current: topmost(doc), fonts };
  for (const step of planned) await step.row.handler(ctx, step);
  const rendered: RenderedOutput[] = [];
  for (const [i, output] of request.outputs.entries())
    rendered.push(await renderOutput(doc, output, i, options.title));
  return { outputs: rendered, warnings: doc.warnings };
}
