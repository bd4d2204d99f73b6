import { type EmulatorContext, type EmulatorContextType, ownOrigins } from "../context.js";
import { GatewayError, reasonOf, ServiceError } from "../http/errors.js";
import { ImageDecodeError, inspectImage, type RasterFormat } from "../imaging/index.js";
import { ERROR_CODES, type ErrorFamily } from "./family.js";
import { invalidRequest } from "./request.js";
import { sourceUrlProblem } from "./source-url.js";

/** The checks an image input of one operation must pass when the POST arrives. */
export interface InputRule {
  /** Largest width and height (6000 remove-background, 4000 masking). */
  maxDimension: number;
  /** Accepted formats. */
  formats: readonly RasterFormat[];
}

/**
 * The status of a refused input: the masking family answers 400 `input_validation_error`, the v2
 * family 422 `validation_error` (the spec's `UnprocessableInput`), since the body itself was valid.
 */
function unprocessable(family: ErrorFamily, message: string): GatewayError {
  return invalidRequest(family, [message], family === "v2" ? 422 : 400);
}

/**
 * Checks every source URL of a request against the allow-list (`sourceDomains`; the emulator's
 * own storage always passes) before anything is fetched: 400 with one message per refused URL.
 *
 * @param sources - `[JSON pointer, url]` pairs, e.g. `["/image/source/url", href]`.
 * @throws GatewayError 400 `validation_error` / `input_validation_error`.
 */
function checkSourceUrls(
  ctx: EmulatorContext,
  c: EmulatorContextType,
  family: ErrorFamily,
  sources: readonly (readonly [string, string])[],
): void {
  const origins = ownOrigins(ctx, c);
  const problems = sources.flatMap(([pointer, url]) => {
    const problem = sourceUrlProblem(url, ctx.options.sourceDomains, origins);
    return problem ? [`${pointer}: ${problem}`] : [];
  });
  if (problems.length > 0) throw invalidRequest(family, problems);
}

/** Seconds a client refused for held inputs is told to wait: about one job's run. */
const BUSY_RETRY_AFTER_SECONDS = 1;

/**
 * Refuses a submission whose inputs the emulator cannot hold now (see `JobRunner.hasRoomFor`):
 * 429 in the family's words with `retry-after`, as Adobe answers a client it will not serve yet.
 *
 * @throws GatewayError 429 `unauthorized_rate_limited` (v2) / `too_many_requests` (masking).
 */
function checkRoom(ctx: EmulatorContext, family: ErrorFamily, bytes: number, othersInFlight: number): void {
  const held = ctx.jobs.heldBytes + othersInFlight;
  // As `JobRunner.hasRoomFor`: one submission always fits when nothing else is held or on its way.
  if (held === 0 || held + bytes <= ctx.options.limits.maxJobBytes) return;
  throw new GatewayError(
    429,
    ERROR_CODES[family].tooMany,
    "Too many requests: the emulator holds the inputs of the jobs not yet run up to limits.maxJobBytes; retry later",
    { "retry-after": String(BUSY_RETRY_AFTER_SECONDS) },
  );
}

/** Bytes of inputs downloaded by submissions still being read, per emulator: they count as held. */
const inFlight = new WeakMap<EmulatorContext, { bytes: number }>();

/**
 * Reads every input of a submission when the POST arrives: checks the source URLs against the
 * allow-list ({@link checkSourceUrls}), then (unless the inputs jobs already hold fill
 * `maxJobBytes`) downloads and checks each one ({@link readImageInput}). Each input counts towards
 * `maxJobBytes` byte by byte while it downloads, beside the inputs of the other submissions still
 * downloading, so concurrent submissions cannot together take more than the limit.
 *
 * @param sources - `[JSON pointer, url]` pairs, the image first.
 * @returns the inputs' bytes in `sources` order, and their total size (the job's `heldBytes`).
 * @throws GatewayError 400/422 for a refused input, 429 when the inputs cannot be held now.
 */
export async function readImageInputs(
  ctx: EmulatorContext,
  c: EmulatorContextType,
  family: ErrorFamily,
  sources: readonly (readonly [string, string])[],
  rule?: InputRule,
): Promise<{ inputs: Uint8Array[]; heldBytes: number; sizes: (Size | undefined)[] }> {
  checkSourceUrls(ctx, c, family, sources);
  let counter = inFlight.get(ctx);
  if (!counter) {
    counter = { bytes: 0 };
    inFlight.set(ctx, counter);
  }
  const shared = counter;
  // Refuse before downloading anything when no input (at least a byte) could be held anyway.
  checkRoom(ctx, family, 1, shared.bytes);
  let mine = 0;
  const onBytes = (bytes: number) => {
    mine += bytes;
    shared.bytes += bytes;
    checkRoom(ctx, family, mine, shared.bytes - mine);
  };
  try {
    const read = await Promise.all(
      sources.map(([pointer, url]) => readImageInput(ctx, c, family, pointer, url, onBytes, rule)),
    );
    return { inputs: read.map((one) => one.bytes), heldBytes: mine, sizes: read.map((one) => one.size) };
  } finally {
    // The caller makes the job right after, and its `heldBytes` then carries these bytes.
    shared.bytes -= mine;
  }
}

/**
 * Reads one input when the POST arrives, as psapi's spec chooses ("the emulator reads the input
 * when the POST arrives"): downloads it (the emulator's own storage, or an `allowedHosts` host)
 * and reads its header: an input that cannot be fetched, is not an accepted format, or is over
 * the size limit is refused with 422 `validation_error` (v2) or 400 `input_validation_error`
 * (masking), the message starting with the field's JSON pointer. Messages never hold the URL.
 *
 * @returns the input's bytes, kept for the job, and its size when `rule` read its header.
 */
async function readImageInput(
  ctx: EmulatorContext,
  c: EmulatorContextType,
  family: ErrorFamily,
  pointer: string,
  url: string,
  onBytes: (bytes: number) => void,
  rule?: InputRule,
): Promise<{ bytes: Uint8Array; size?: Size }> {
  let bytes: Uint8Array;
  try {
    bytes = await ctx.assets.download({ href: url }, ownOrigins(ctx, c), ctx.timerSignal(), onBytes);
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    throw unprocessable(family, `${pointer}: ${reasonOf(error)}`);
  }
  if (!rule) return { bytes };
  try {
    const { width, height } = await inspectImage(bytes, rule);
    return { bytes, size: { width, height } };
  } catch (error) {
    if (!(error instanceof ImageDecodeError)) throw error;
    throw unprocessable(family, `${pointer}: ${error.message}`);
  }
}

/** An input's width and height, from its header. */
interface Size {
  width: number;
  height: number;
}

/**
 * Refuses masks that are not of the image's size (400 `input_validation_error`, one message per
 * mask): a mask is "of the same image" in Adobe's guides, which never say it is stretched, so the
 * emulator does not guess a registration between two sizes. Uses the sizes {@link readImageInputs}
 * read from the headers.
 *
 * @param sources - `[JSON pointer, url]` pairs, the image first (as given to {@link readImageInputs}).
 * @param sizes - their sizes, in the same order.
 */
export function checkMaskSizes(
  family: ErrorFamily,
  sources: readonly (readonly [string, string])[],
  sizes: readonly (Size | undefined)[],
): void {
  const [image, ...masks] = sizes;
  if (!image) return;
  const problems = masks.flatMap((mask, i) =>
    !mask || (mask.width === image.width && mask.height === image.height)
      ? []
      : [
          `${sources[i + 1]?.[0] ?? "/mask"}: the mask is ${mask.width}×${mask.height} and the image ${image.width}×${image.height}; a mask must be the size of the image it masks`,
        ],
  );
  if (problems.length > 0) throw invalidRequest(family, problems, 400);
}
