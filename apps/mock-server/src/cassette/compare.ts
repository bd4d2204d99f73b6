import { isRecord } from "@psapi/core";
import sharp, { type Metadata } from "sharp";

/**
 * Fields whose values change on every run and so are never compared by `diffCassette` (their
 * presence and JSON type still are): ids the service mints, timestamps, tokens, URLs (their origin
 * and signature differ per run), cache validators. Matched on the field's own name.
 */
export const VOLATILE_FIELDS: readonly string[] = [
  "jobId",
  "jobID",
  "id",
  "requestId",
  "statusUrl",
  "href",
  "url",
  "created",
  "modified",
  "createdTime",
  "modifiedTime",
  "createdAt",
  "modifiedAt",
  "updatedAt",
  "expiresAt",
  "expires_in",
  "access_token",
  "refresh_token",
  "id_token",
  "etag",
];

const VOLATILE = new Set(VOLATILE_FIELDS.map((name) => name.toLowerCase()));

/** What kind of JSON value: `integer` and `number` are one (`number`); a URL or placeholder is a `string`. */
export type JsonType = "null" | "boolean" | "number" | "string" | "array" | "object";

/** A difference between two JSON bodies at one place. */
export interface BodyDifference {
  /** `missing`: recorded has the field, the emulator not; `extra`: the reverse; `type`; `value` (an enum-like string or a boolean). */
  kind: "missing" | "extra" | "type" | "value";
  /** JSON pointer into the body, e.g. `/result/outputs/0/mediaType`. */
  pointer: string;
  /** The recorded value (its type for `type`); absent for `extra`. */
  recorded?: unknown;
  /** The emulator's value (its type for `type`); absent for `missing`. */
  emulator?: unknown;
}

export function jsonType(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (isRecord(value)) return "object";
  return typeof value === "boolean" ? "boolean" : typeof value === "number" ? "number" : "string";
}

const escapePointer = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * Whether a string is compared by value: a short token with no spaces, that is no URL, date, UUID
 * or long hex/base64 run (those differ per run even when they mean the same). Messages are prose
 * and differ in wording; `status`, `mediaType`, `error_code`, `token_type`, labels are tokens.
 */
export function isEnumLike(value: string): boolean {
  if (value.length === 0 || value.length > 64 || /\s/.test(value)) return false;
  if (/^(https?:\/\/|\{\{storage:)/i.test(value)) return false;
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return false;
  if (/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(value)) return false;
  if (/[0-9a-f]{16,}/i.test(value) || /[A-Za-z0-9+/_-]{32,}/.test(value)) return false;
  return true;
}

/**
 * Every difference between a recorded JSON body and the emulator's: fields present in one only,
 * JSON types, and the values of booleans and enum-like strings ({@link isEnumLike}); numbers,
 * prose and {@link VOLATILE_FIELDS} are compared by type only. Arrays are compared item by item.
 */
export function compareJson(recorded: unknown, emulator: unknown, pointer = ""): BodyDifference[] {
  const key = pointer
    .slice(pointer.lastIndexOf("/") + 1)
    .replace(/~1/g, "/")
    .replace(/~0/g, "~");
  const a = jsonType(recorded);
  const b = jsonType(emulator);
  if (a !== b) return [{ kind: "type", pointer, recorded: a, emulator: b }];
  if (a === "object" && isRecord(recorded) && isRecord(emulator)) {
    const found: BodyDifference[] = [];
    for (const name of new Set([...Object.keys(recorded), ...Object.keys(emulator)])) {
      const at = `${pointer}/${escapePointer(name)}`;
      if (!(name in emulator)) found.push({ kind: "missing", pointer: at, recorded: recorded[name] });
      else if (!(name in recorded)) found.push({ kind: "extra", pointer: at, emulator: emulator[name] });
      else found.push(...compareJson(recorded[name], emulator[name], at));
    }
    return found;
  }
  if (a === "array" && Array.isArray(recorded) && Array.isArray(emulator)) {
    const found: BodyDifference[] = [];
    for (let i = 0; i < Math.max(recorded.length, emulator.length); i++) {
      const at = `${pointer}/${i}`;
      if (i >= emulator.length) found.push({ kind: "missing", pointer: at, recorded: recorded[i] });
      else if (i >= recorded.length) found.push({ kind: "extra", pointer: at, emulator: emulator[i] });
      else found.push(...compareJson(recorded[i], emulator[i], at));
    }
    return found;
  }
  if (VOLATILE.has(key.toLowerCase())) return [];
  if (a === "boolean" && recorded !== emulator) return [{ kind: "value", pointer, recorded, emulator }];
  if (
    typeof recorded === "string" &&
    typeof emulator === "string" &&
    recorded !== emulator &&
    isEnumLike(recorded) &&
    isEnumLike(emulator)
  )
    return [{ kind: "value", pointer, recorded, emulator }];
  return [];
}

/** An image's size and format, as sharp reads its header. */
export interface ImageSize {
  width: number;
  height: number;
  format: string;
}

/** Two images measured: their sizes, and the overlap of their masks. */
export interface ImageComparison {
  recorded: ImageSize;
  emulator: ImageSize;
  /**
   * Intersection over union of the two masks (the alpha channel when the image has one, else its
   * grey level; a pixel is in the mask at 128 and above), the emulator's image resized to the
   * recorded one's size first when they differ. 1 when both masks are empty.
   */
  iou: number;
}

/** The binary mask of an image at a given size: alpha, else grey level, thresholded at 128. */
async function maskOf(bytes: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const image = sharp(bytes);
  const { hasAlpha } = await image.metadata();
  const pipeline = image.resize(width, height, { fit: "fill", kernel: "nearest" });
  const channel = hasAlpha
    ? pipeline.ensureAlpha().extractChannel("alpha")
    : pipeline.flatten({ background: "#000000" }).greyscale();
  const { data } = await channel.raw().toBuffer({ resolveWithObject: true });
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = (data[i] ?? 0) >= 128 ? 1 : 0;
  return mask;
}

/**
 * Measures two images: sizes from their headers, then the IoU of their masks (never their bytes:
 * two encoders never agree on those).
 *
 * @returns The measurement, or `undefined` when either is not an image sharp can read.
 */
export async function compareImages(
  recorded: Uint8Array,
  emulator: Uint8Array,
): Promise<ImageComparison | undefined> {
  let a: Metadata;
  let b: Metadata;
  try {
    [a, b] = await Promise.all([sharp(recorded).metadata(), sharp(emulator).metadata()]);
  } catch {
    return undefined;
  }
  if (!a.width || !a.height || !b.width || !b.height) return undefined;
  const size = (m: Metadata): ImageSize => ({
    width: m.width,
    height: m.height,
    format: m.format ?? "unknown",
  });
  const [maskA, maskB] = await Promise.all([
    maskOf(recorded, a.width, a.height),
    maskOf(emulator, a.width, a.height),
  ]);
  let both = 0;
  let either = 0;
  for (let i = 0; i < maskA.length; i++) {
    const x = maskA[i] ?? 0;
    const y = maskB[i] ?? 0;
    both += x & y;
    either += x | y;
  }
  return { recorded: size(a), emulator: size(b), iou: either === 0 ? 1 : both / either };
}
