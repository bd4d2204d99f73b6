/** Why an input could not be used as an image. */
export type ImageDecodeReason = "empty" | "unsupported-format" | "corrupt" | "too-large";

const MAX_DETAIL_LENGTH = 160;

/**
 * Thrown when input bytes are not an image the emulator can read: not a supported format,
 * truncated or corrupt, or beyond the size limits. The message is short and safe to show to
 * an API client (it never echoes input bytes); the decoder's own error, if any, is `cause`.
 *
 * @example
 * try {
 *   await computeMask(bytes, { format: "soft" });
 * } catch (error) {
 *   if (error instanceof ImageDecodeError) console.log(error.reason, error.message);
 * }
 * The formats and limits are listed in this folder's README.
 */
export class ImageDecodeError extends Error {
  override readonly name = "ImageDecodeError";
  /** Machine-readable category, stable across versions. */
  readonly reason: ImageDecodeReason;

  /**
   * @param reason - the category of failure.
   * @param message - a short human-readable explanation, safe to send to a client.
   * @param options - `cause`: the underlying decoder error.
   */
  constructor(reason: ImageDecodeReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * Wraps a decoder failure (sharp/libvips, ag-psd) as a `corrupt` ImageDecodeError, keeping only
 * the first line of the decoder's message, cut to a bounded length.
 */
export function corruptImage(format: string, cause: unknown): ImageDecodeError {
  if (cause instanceof ImageDecodeError) return cause;
  const raw = cause instanceof Error ? cause.message : String(cause);
  const firstLine = (raw.split("\n", 1)[0] ?? "").trim().slice(0, MAX_DETAIL_LENGTH);
  const detail = firstLine === "" ? "" : `: ${firstLine}`;
  return new ImageDecodeError("corrupt", `the ${format} image could not be decoded${detail}`, { cause });
}
