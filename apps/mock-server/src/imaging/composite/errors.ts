/**
 * Why a document job cannot give the result Photoshop would: the codes a failed job's
 * `errorDetails[].errorCode` carries. The `emulator_*` codes are psapi's own, never numeric, so
 * they cannot be mistaken for one of Adobe's; `400401` is Adobe's "invalid value". execute-actions
 * adds `emulator_unsupported_action` (an `.atn` file, or an ActionJSON command outside the
 * emulator's subset, named with its index) and `emulator_unsupported_script` (a UXP script).
 */
export type DocumentErrorCode =
  | "emulator_unsupported"
  | "emulator_input_unreadable"
  | "emulator_missing_font"
  | "emulator_unsupported_action"
  | "emulator_unsupported_script"
  | "400401";

/**
 * Thrown by the document engine for a request it will not fake: a feature it cannot render
 * faithfully, an input it cannot read, a missing font under `missingFontStrategy: fail`, or a
 * value that only the open document shows to be wrong. `pointer` is the JSON pointer of the
 * request field at fault; the message names the feature and is safe to show a client (no URL).
 */
export class DocumentError extends Error {
  override readonly name = "DocumentError";
  readonly code: DocumentErrorCode;
  /** JSON pointer into the request, e.g. `/edits/layers/2/text`. */
  readonly pointer: string;

  constructor(code: DocumentErrorCode, pointer: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.pointer = pointer;
  }
}

/** A feature at `pointer` that the offline emulator does not do. */
export function unsupported(pointer: string, feature: string): DocumentError {
  return new DocumentError(
    "emulator_unsupported",
    pointer,
    `${feature} (at ${pointer || "/"}) is not supported by the offline emulator`,
  );
}

/** A value that the open document shows to be wrong (a layer that is not there, …). */
export function invalidValue(pointer: string, message: string): DocumentError {
  return new DocumentError("400401", pointer, `${pointer}: ${message}`);
}
