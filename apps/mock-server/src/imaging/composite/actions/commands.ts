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
  /** What it does, in one line: the README's table holds it word for word (a test checks). */
  summary: string;
}

const LAYER = ["layer", "textLayer", "none"] as const;
const DOCUMENT = ["document", "none"] as const;

/**
 * The emulator's subset of ActionJSON: the one table. A command is played by the first row whose
 * `_obj`, target form and argument match; any other command fails the job with
 * `emulator_unsupported_action` naming it and its index. Adding a command is adding a row (and
 * its handler in ./handlers.ts) and the same row to apps/mock-server/README.md's table, which a
 * test holds equal to this one.
 */
export const COMMANDS: readonly CommandRow[] = [
  {
    obj: "select",
    targets: ["layer", "textLayer"],
    handler: select,
    summary:
      "makes the layer named by `_name`, `_id` or `_index` (1 = the bottom) the active layer (at the start: the topmost)",
  },
  {
    obj: "delete",
    targets: LAYER,
    handler: deleteLayer,
    summary: "deletes the active or named layer (a group with its layers); the layer below becomes active",
  },
  { obj: "hide", targets: LAYER, handler: hide, summary: "hides the active or named layer" },
  { obj: "show", targets: LAYER, handler: show, summary: "shows the active or named layer" },
  {
    obj: "set",
    targets: LAYER,
    argument: "layer",
    handler: setLayer,
    summary: "the active or named layer's `opacity` (percent) and `name`",
  },
  {
    obj: "set",
    targets: ["textLayer", "layer", "none"],
    argument: "textLayer",
    handler: setText,
    summary: "a text layer's content: `textKey`",
  },
  {
    obj: "set",
    targets: ["property:textStyle"],
    argument: "textStyle",
    handler: setTextStyle,
    summary:
      "the style of all the text: `size` (points), `fontPostScriptName`, `color` (`RGBColor`, `grain` or `green`), `leading`, `tracking`, synthetic bold/italic",
  },
  {
    obj: "make",
    targets: ["textLayer"],
    argument: "textLayer",
    handler: makeText,
    summary:
      "a point text layer above the active layer: `textKey`, `textClickPoint`, the first `textStyleRange`'s style",
  },
  {
    obj: "move",
    targets: LAYER,
    argument: "offset",
    handler: move,
    summary: "moves the active or named layer by `horizontal`/`vertical`",
  },
  {
    obj: "invert",
    targets: ["none"],
    handler: invert,
    summary: "255 − each colour channel of the active pixel layer",
  },
  {
    obj: "desaturate",
    targets: ["none"],
    handler: desaturate,
    summary: "the active pixel layer in grey at each pixel's HSL lightness, (max + min) / 2",
  },
  {
    obj: "flip",
    targets: ["document"],
    handler: flipCanvas,
    summary: "the canvas mirrored (`axis` horizontal or vertical): every layer",
  },
  {
    obj: "flip",
    targets: ["layer", "none"],
    handler: flipLayer,
    summary: "the active pixel layer mirrored in place",
  },
  {
    obj: "rotateEventEnum",
    targets: DOCUMENT,
    handler: rotateCanvas,
    summary: "the canvas turned by a multiple of 90° (`angle`, clockwise)",
  },
  {
    obj: "flattenImage",
    targets: DOCUMENT,
    handler: flatten,
    summary: "one `Background` layer: the composite laid on white",
  },
  {
    obj: "imageSize",
    targets: DOCUMENT,
    handler: imageSize,
    summary:
      "the document resized: `width`/`height` in pixels or percent, `constrainProportions`, `interfaceIconFrameDimmed` (resampling; default bicubic)",
  },
  {
    obj: "canvasSize",
    targets: DOCUMENT,
    handler: canvasSize,
    summary:
      "the canvas to `width`/`height` (`relative` adds), anchored by `horizontal`/`vertical` (centre by default); the new area is transparent",
  },
  {
    obj: "crop",
    targets: DOCUMENT,
    handler: crop,
    summary:
      "the document cropped to `to: {_obj: rectangle, top, left, bottom, right}`; no angle; `delete: false` keeps the pixels outside",
  },
  { obj: "trim", targets: DOCUMENT, handler: trim, summary: "trims transparent pixels on all four sides" },
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
