import { dirname, join } from "node:path";
import {
  type AutoCropAspectRatio,
  type AutoCropRequest,
  autoCropResult,
  type EditRequest,
  jobOutputs,
  type LightroomEdits,
} from "@psapi/client";
import { CliError } from "./cli-error.js";
import {
  currentSource,
  downloadOutput,
  downloadSingleResult,
  inputStem,
  succeededJob,
} from "./current-job.js";
import { displayPath } from "./display.js";
import { checkJobInput, waitWithProgress } from "./job.js";
import type { Session } from "./session.js";
import type { Target } from "./target.js";
import { type InputSource, prepareOutPath } from "./validate.js";

/** What `edit` is asked to do. */
export interface EditJob {
  readonly input: InputSource;
  /** The adjustments, as the request's `edits` (presets and XMP still as inputs, below). */
  readonly edits: Omit<LightroomEdits, "presets" | "xmp">;
  readonly presets: readonly InputSource[];
  readonly xmp: InputSource | undefined;
  readonly mediaType: "image/jpeg" | "image/png";
  readonly out: string | undefined;
  readonly timeoutMs: number;
  readonly cwd: string;
}

/**
 * Runs an edit job end to end: the photo, presets and XMP to URLs, submit (one hosted image
 * output), wait, download the edited image to `--out`.
 */
export async function runEdit(
  session: Session,
  target: Target,
  request: EditJob,
): Promise<{ text: string; data: Record<string, unknown> }> {
  for (const input of [request.input, ...request.presets, ...(request.xmp ? [request.xmp] : [])]) {
    checkJobInput(target, input);
  }
  const extension = request.mediaType === "image/png" ? "png" : "jpg";
  const outPath = await prepareOutPath(
    request.out ?? `out/${inputStem(request.input)}-edited.${extension}`,
    request.cwd,
  );
  const image = await currentSource(session, target, request.input);
  const presets = [];
  for (const preset of request.presets) presets.push((await currentSource(session, target, preset)).source);
  const xmp = request.xmp
    ? { source: (await currentSource(session, target, request.xmp)).source }
    : undefined;
  const body: EditRequest = {
    image,
    edits: { ...request.edits, ...(presets.length > 0 ? { presets } : {}), ...(xmp ? { xmp } : {}) },
    outputs: [{ destination: { validityPeriod: 3600 }, mediaType: request.mediaType }],
  };
  const job = await target.client.edit(body, { signal: session.context.signal });
  return downloadSingleResult(session, target, job, {
    label: `edit job ${job.jobId}`,
    timeoutMs: request.timeoutMs,
    outPath,
    cwd: request.cwd,
  });
}

/** What `auto-crop` is asked to do. */
export interface AutoCropJob {
  readonly input: InputSource;
  readonly mode: AutoCropRequest["mode"];
  readonly ratios: readonly AutoCropAspectRatio[];
  readonly zooms: readonly number[];
  readonly focus: readonly string[];
  /** Boxes only (`outputType: boundingBoxes`): nothing is downloaded. */
  readonly boxesOnly: boolean;
  /** `--out-dir`: one crop per ratio goes there as `<n>-<ratio>.<ext>`; `out/<name>-crops` by default. */
  readonly outDir: string | undefined;
  readonly timeoutMs: number;
  readonly cwd: string;
}

const EXTENSIONS: Record<string, string> = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" };

/**
 * Runs an auto-crop job end to end: submit (the ratios as an array, zooms one per ratio), wait,
 * read the boxes (`autoCropResult`), and download each crop to `<out-dir>/<n>-<ratio>.<ext>`.
 *
 * @returns One line per crop (ratio, box, file) and the same as data.
 */
export async function runAutoCrop(
  session: Session,
  target: Target,
  request: AutoCropJob,
): Promise<{ text: string; data: Record<string, unknown> }> {
  checkJobInput(target, request.input);
  const dir = request.outDir ?? `out/${inputStem(request.input)}-crops`;
  const probe = request.boxesOnly ? undefined : await prepareOutPath(join(dir, ".psapi-probe"), request.cwd);
  const image = await currentSource(session, target, request.input);
  const ratios = request.ratios.length > 0 ? [...request.ratios] : (["1:1"] as AutoCropAspectRatio[]);
  const body: AutoCropRequest = {
    image,
    mode: request.mode,
    ...(request.ratios.length > 0 ? { aspectRatio: [...request.ratios] } : {}),
    ...(request.zooms.length > 0 ? { zoom: [...request.zooms] } : {}),
    ...(request.focus.length > 0 ? { focus: [...request.focus] } : {}),
    outputType: request.boxesOnly ? "boundingBoxes" : "images",
  };
  const job = await target.client.autoCrop(body, { signal: session.context.signal });
  const status = await waitWithProgress(session, job, {
    label: `auto-crop job ${job.jobId}`,
    timeoutMs: request.timeoutMs,
  });
  const result = autoCropResult(status);
  if (!result) throw new CliError(`job ${job.jobId} succeeded but its status holds no crop boxes`);
  // One hosted image per ratio, in request order (none when only boxes were asked for).
  const files = jobOutputs(status).filter((file) => file.url !== undefined);
  if (probe && files.length !== result.crops.length) {
    throw new CliError(`job ${job.jobId} returned ${files.length} images for ${result.crops.length} crops`);
  }
  const crops = [];
  for (const [index, crop] of result.crops.entries()) {
    const box = crop.boundingBoxes[0];
    if (!box) throw new CliError(`job ${job.jobId}: crop ${index + 1} has no bounding box`);
    const ratio = ratios[index] ?? "?";
    const entry: Record<string, unknown> = {
      ratio,
      boundingBox: { x: box.x, y: box.y, width: box.width, height: box.height },
    };
    const file = files[index];
    if (probe && file) {
      const extension = EXTENSIONS[file.mediaType ?? ""] ?? "jpg";
      const path = join(dirname(probe), `${index + 1}-${ratio.replace(":", "x")}.${extension}`);
      const written = await downloadOutput(session, target, file, path);
      entry.path = path;
      entry.bytes = written.data.bytes;
    }
    crops.push(entry);
  }
  const lines = crops.map((crop) => {
    const box = crop.boundingBox as { x: number; y: number; width: number; height: number };
    const where = `${box.x},${box.y} ${box.width}×${box.height}`;
    return `${crop.ratio} at ${where}${typeof crop.path === "string" ? ` → ${displayPath(crop.path, request.cwd)}` : ""}`;
  });
  return {
    text: [`${crops.length} crop${crops.length === 1 ? "" : "s"} from job ${job.jobId}:`, ...lines].join(
      "\n",
    ),
    data: { target: target.description, job: succeededJob(job), subject: result.subject, crops },
  };
}
