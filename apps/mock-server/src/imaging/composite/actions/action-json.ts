import { DocumentError, invalidValue } from "../errors.js";

/**
 * ActionJSON, Photoshop's batchPlay format: an array of command descriptors, each an object with
 * `_obj` (the event) and its arguments, where references are lists of `{_ref, _name | _id |
 * _index | _enum + _value | _property}` and measures are `{_unit, _value}`.
 */
export type Descriptor = { _obj: string } & Record<string, unknown>;

/** One item of a reference list (`_target` or `null`). */
export interface Reference {
  _ref?: string;
  _name?: string;
  _id?: number;
  _index?: number;
  _enum?: string;
  _value?: string;
  _property?: string;
}

/** Why inline ActionJSON is refused at POST (400): the route words it with the content's pointer. */
export class ActionJsonError extends Error {
  override readonly name = "ActionJsonError";
}

/**
 * Parses the `content` of an inline action: a JSON array of objects, each with a string `_obj`.
 * The array may be empty (it plays nothing).
 *
 * @throws ActionJsonError naming what is wrong (the route answers 400 `validation_error`).
 */
export function parseActionJson(content: string): Descriptor[] {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    throw new ActionJsonError(
      "is not valid JSON (inline ActionJSON is the JSON array of commands, as a string)",
    );
  }
  if (!Array.isArray(value)) throw new ActionJsonError("must be a JSON array of ActionJSON commands");
  for (const [i, item] of value.entries()) {
    if (typeof item !== "object" || item === null || Array.isArray(item))
      throw new ActionJsonError(`[${i}] must be an object`);
    const obj = (item as Record<string, unknown>)._obj;
    if (typeof obj !== "string" || obj.length === 0)
      throw new ActionJsonError(`[${i}] must have a string _obj (the command's name)`);
  }
  return value as Descriptor[];
}

/** The reference list a command acts on: `_target`, else `null` (both spellings occur), else []. */
export function references(command: Descriptor): Reference[] {
  const list = command._target ?? command.null;
  if (list === undefined) return [];
  const items = Array.isArray(list) ? list : [list];
  return items.filter((item): item is Reference => typeof item === "object" && item !== null);
}

/**
 * The form of a command's target, for the command table: `none` without one, the first
 * reference's `_ref` (`layer`, `textLayer`, `document`, `channel`, …), or `property:<name>` for a
 * property reference (`set` of `textStyle`).
 */
export function targetForm(command: Descriptor): string {
  const [first] = references(command);
  if (!first) return "none";
  if (first._ref === "property" && typeof first._property === "string") return `property:${first._property}`;
  return first._ref ?? "none";
}

/** The `_obj` of a descriptor argument (`to`, `using`), or undefined. */
export function objectOf(value: unknown): string | undefined {
  return typeof value === "object" && value !== null && typeof (value as { _obj?: unknown })._obj === "string"
    ? (value as { _obj: string })._obj
    : undefined;
}

/** A field of a descriptor as a descriptor-like record (an empty one when absent). */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * A length in pixels: a plain number (pixels), or `{_unit, _value}` in `pixelsUnit`, `percentUnit`
 * (of `whole`) or `distanceUnit` (points: pixels × ppi / 72).
 *
 * @throws DocumentError `400401` for anything else.
 */
export function pixels(value: unknown, pointer: string, whole: number, ppi = 72): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  const { _unit: unit, _value: amount } = record(value);
  if (typeof amount !== "number" || !Number.isFinite(amount))
    throw invalidValue(pointer, "a length must be a number or {_unit, _value}");
  if (unit === "pixelsUnit" || unit === undefined) return amount;
  if (unit === "percentUnit") return (whole * amount) / 100;
  if (unit === "distanceUnit") return (amount * ppi) / 72;
  throw invalidValue(pointer, `the unit '${String(unit)}' is not pixelsUnit, percentUnit or distanceUnit`);
}

/** A plain number or `{_unit, _value}`'s value (angles, percentages, points). */
export function amount(value: unknown, pointer: string, unit?: string): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  const { _unit, _value } = record(value);
  if (
    typeof _value !== "number" ||
    !Number.isFinite(_value) ||
    (unit && _unit !== undefined && _unit !== unit)
  )
    throw invalidValue(pointer, unit ? `expected a number in ${unit}` : "expected a number");
  return _value;
}

/** An enumerated argument's value: `{_enum, _value}` → `_value`, or a bare string. */
export function enumValue(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  const v = record(value)._value;
  return typeof v === "string" ? v : undefined;
}

/**
 * The failure of a command the emulator cannot play: `emulator_unsupported_action`, naming the
 * command, its index and, when given, the argument it cannot honour.
 */
export function unsupportedCommand(
  pointer: string,
  command: Descriptor,
  index: number,
  why?: string,
): DocumentError {
  const form = targetForm(command);
  const shown = form === "none" ? `'${command._obj}'` : `'${command._obj}' (target ${form})`;
  return new DocumentError(
    "emulator_unsupported_action",
    pointer,
    `the ActionJSON command ${shown} at index ${index} (${pointer}) ${why ?? "is not in the emulator's subset of ActionJSON"}; it is not played offline`,
  );
}
