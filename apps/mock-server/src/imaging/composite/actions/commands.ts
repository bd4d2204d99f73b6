import { type Descriptor, objectOf, targetForm } from "./action-json.js";
import {
  type CommandHandler,
  canvasSize,
  crop,
  deleteLayer,
  desaturate,
  flatten,
  flipCanvas,
  flipLayer,
  hide,
  imageSize,
  invert,
  makeText,
  move,
  rotateCanvas,
  select,
  setLayer,
  setText,
  setTextStyle,
  show,
  trim,
} from "./handlers.js";

/**
 * One ActionJSON command the emulator plays for real: its `_obj`, the target forms it takes
 * (`none` = no `_target`/`null`, else the first reference's `_ref`, or `property:<name>`), for
 * `set`/`make` the `_obj` of `to`/`using`, and what it does.
 */
export interface CommandRow {
  obj: string;
  targets: readonly string[];
  /** The `_obj` of `to` (`set`) or `using` (`make`) this row takes. */
  argument?: string;
  handler: CommandHandler;
  /** For the emulator's README and messages. */
  summary: string;
}

const LAYER = ["layer", "textLayer", "none"] as const;
const DOCUMENT = ["document", "none"] as const;

/**
 * The emulator's subset of ActionJSON: the one table. A command is played by the first row whose
 * `_obj`, target form and argument match; any other command fails the job with
 * `emulator_unsupported_action` naming it and its index. Adding a command is adding a row (and
 * its handler in ./handlers.ts); apps/mock-server/README.md lists the rows.
 */
export const COMMANDS: readonly CommandRow[] = [
  {
    obj: "select",
    targets: ["layer", "textLayer"],
    handler: select,
    summary: "make a layer active, by `_name`, `_id` or `_index` (1 = bottom)",
  },
  {
    obj: "delete",
    targets: LAYER,
    handler: deleteLayer,
    summary: "delete the active or named layer (a group with its layers)",
  },
  { obj: "hide", targets: LAYER, handler: hide, summary: "hide the active or named layer" },
  { obj: "show", targets: LAYER, handler: show, summary: "show the active or named layer" },
  {
    obj: "set",
    targets: LAYER,
    argument: "layer",
    handler: setLayer,
    summary: "`to: {_obj: layer}`: `opacity` (percent) and `name`",
  },
  {
    obj: "set",
    targets: ["textLayer", "layer", "none"],
    argument: "textLayer",
    handler: setText,
    summary: "`to: {_obj: textLayer, textKey}`: a text layer's content",
  },
  {
    obj: "set",
    targets: ["property:textStyle"],
    argument: "textStyle",
    handler: setTextStyle,
    summary:
      "`to: {_obj: textStyle}`: size (points), `fontPostScriptName`, `color` (RGBColor), leading, tracking, synthetic bold/italic, of all the text",
  },
  {
    obj: "make",
    targets: ["textLayer"],
    argument: "textLayer",
    handler: makeText,
    summary: "a point text layer: `textKey`, `textClickPoint`, the first `textStyleRange`'s style",
  },
  {
    obj: "move",
    targets: LAYER,
    argument: "offset",
    handler: move,
    summary: "move the active or named layer by `to: {_obj: offset, horizontal, vertical}`",
  },
  { obj: "invert", targets: ["none"], handler: invert, summary: "invert the active pixel layer's colours" },
  {
    obj: "desaturate",
    targets: ["none"],
    handler: desaturate,
    summary: "the active pixel layer in grey, at each pixel's HSL lightness",
  },
  {
    obj: "flip",
    targets: ["document"],
    handler: flipCanvas,
    summary: "flip the canvas (`axis` horizontal or vertical): every layer mirrored",
  },
  {
    obj: "flip",
    targets: ["layer", "none"],
    handler: flipLayer,
    summary: "flip the active pixel layer in place",
  },
  {
    obj: "rotateEventEnum",
    targets: DOCUMENT,
    handler: rotateCanvas,
    summary: "rotate the canvas by a multiple of 90° (`angle`, clockwise)",
  },
  {
    obj: "flattenImage",
    targets: DOCUMENT,
    handler: flatten,
    summary: "one Background layer: the composite laid on white",
  },
  {
    obj: "imageSize",
    targets: DOCUMENT,
    handler: imageSize,
    summary: "resize the document: `width`/`height` (pixels or percent), `constrainProportions`, resampling",
  },
  {
    obj: "canvasSize",
    targets: DOCUMENT,
    handler: canvasSize,
    summary:
      "the canvas to `width`/`height` (`relative` adds), anchored by `horizontal`/`vertical`; new area transparent",
  },
  {
    obj: "crop",
    targets: DOCUMENT,
    handler: crop,
    summary: "crop to `to: {_obj: rectangle, top, left, bottom, right}` (no angle)",
  },
  { obj: "trim", targets: DOCUMENT, handler: trim, summary: "trim transparent pixels on all four sides" },
];

/** The row that plays `command`, or undefined when the emulator's subset has none. */
export function commandRow(command: Descriptor): CommandRow | undefined {
  const form = targetForm(command);
  const argument = objectOf(command.to) ?? objectOf(command.using);
  return COMMANDS.find(
    (row) =>
      row.obj === command._obj &&
      row.targets.includes(form) &&
      (row.argument === undefined || row.argument === argument),
  );
}
