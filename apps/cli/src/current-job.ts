import { basename, dirname, extname, join } from "node:path";
import { downloadHostedResult, HostedResultError, maskFileName } from "@psapi/batch/hosted-results";
import {
  type JobHandle,
  type JobOutputFile,
  type JobStatus,
  jobOutputs,
  type RemoveBackgroundV2Request,
} from "@psapi/client";
import { redactUrl } from "@psapi/core";
import { CliError } from "./cli-error.js";
import { displayPath, formatBytes, pngSize } from "./display.js";
import { checkJobInput, resolveJobInput, waitWithProgress } from "./job.js";
import type { Session } from "./session.js";
import type { Target } from "./target.js";
import { type InputSource, prepareOutPath } from "./validate.js";

/** The stem of an input's file name (`cat` for `cat.jpg` or `…/cat.jpg?sig=…`), for naming results. */
export function inputStem(input: InputSource): string {
  const name = basename(input.kind === "file" ? input.path : input.url.pathname).replace(/\.[^.]*$/, "");
  return name || "image";
}

/**
 * Turns an `<input>` (a local file or a URL) into the `{source: {url}}` the current contract reads:
 * a URL as it is, a local file uploaded to the emulator's storage first.
 *
 * @throws {CliError} (usage) When the target cannot read the input (see `checkJobInput`).
 */
export async function currentSource(
  session: Session,
  target: Target,
  input: InputSource,
): Promise<{ source: { url: string } }> {
  const { href } = await resolveJobInput(session, target, input);
  return { source: { url: href } };
}

/**
 * Waits for a current-contract job with the progress line, then lists its result files. A job that
 * succeeds without a single file is a failure of the API, said so.
 *
 * @returns The files (`jobOutputs`) and the seconds the wait took.
 */
export async function waitForOutputs<T extends JobStatus>(
  session: Session,
  job: JobHandle<T>,
  options: { label: string; timeoutMs: number },
): Promise<{ files: JobOutputFile[]; seconds: number }> {
  const startedAt = session.context.now();
  const done = await waitWithProgress(session, job, options);
  const files = jobOutputs(done).filter((file) => file.url !== undefined);
  if (files.length === 0) {
    throw new CliError(`job ${job.jobId} succeeded but its status names no result file`);
  }
  return { files, seconds: (session.context.now() - startedAt) / 1000 };
}

/**
 * Downloads a hosted result (a pre-signed GET URL: Adobe's, or the emulator's storage) to `path`,
 * atomically, with no credentials: the URL carries its own signature, and the token never leaves
 * the API's origins.
 *
 * @returns A short description (`PNG 600×400, 14.2 KB`) and the same as data (bytes, PNG size).
 * @throws {CliError} When the download fails; the message names the URL without its signature.
 */
export async function downloadOutput(
  session: Session,
  target: Target,
  file: JobOutputFile,
  path: string,
): Promise<{ what: string; data: { bytes: number; width?: number; height?: number } }> {
  let bytes: Uint8Array;
  try {
    bytes = await downloadHostedResult(file.url ?? "", path, {
      fetch: target.network.fetch,
      signal: session.context.signal,
      ...(file.expiresAt !== undefined && { expiresAt: file.expiresAt }),
      clock: { now: () => session.context.now() },
    });
  } catch (error) {
    if (!(error instanceof HostedResultError)) throw error;
    throw error.expiredAt === undefined
      ? new CliError(`download from ${error.url} failed (HTTP ${error.status})`, {
          hint: "Adobe-hosted results are short-lived: download them as soon as the job ends",
        })
      : new CliError(`the result at ${error.url} expired at ${error.expiredAt.toISOString()}`, {
          hint: "run the job again and download the result before its URL expires",
        });
  }
  const size = pngSize(bytes);
  return {
    what: size
      ? `PNG ${size.width}×${size.height}, ${formatBytes(bytes.byteLength)}`
      : `${file.mediaType ?? "unknown type"}, ${formatBytes(bytes.byteLength)}`,
    data: { bytes: bytes.byteLength, ...size },
  };
}

/** A finished job as the commands print it in `--json`: id, status URL without its signature. */
export function succeededJob(job: Pick<JobHandle<JobStatus>, "jobId" | "statusUrl">) {
  return { id: job.jobId, statusUrl: redactUrl(job.statusUrl), status: "succeeded" };
}

/**
 * The end of every job that makes one result file (remove-background, fill): wait with the
 * progress line, download the first result to `outPath`, and say what was written.
 *
 * @param options - `label` and `timeoutMs` of the wait, where the file goes, the directory paths
 *   are shown relative to, and `onSucceeded` (called with the seconds the wait took, before the
 *   download).
 * @returns The line the command prints and the same as data.
 */
export async function downloadSingleResult<T extends JobStatus>(
  session: Session,
  target: Target,
  job: JobHandle<T>,
  options: {
    label: string;
    timeoutMs: number;
    outPath: string;
    cwd: string;
    onSucceeded?: (seconds: number) => void;
  },
): Promise<{ text: string; data: Record<string, unknown> }> {
  const { files, seconds } = await waitForOutputs(session, job, options);
  options.onSucceeded?.(seconds);
  const [file] = files as [JobOutputFile];
  const written = await downloadOutput(session, target, file, options.outPath);
  return {
    text: `wrote ${displayPath(options.outPath, options.cwd)} (${written.what})`,
    data: {
      target: target.description,
      job: succeededJob(job),
      output: { path: options.outPath, mediaType: file.mediaType, ...written.data },
    },
  };
}

/** What `remove-background` (and the quickstart) are asked to do. */
export interface RemoveBackgroundJob {
  readonly input: InputSource;
  readonly mode: "cutout" | "mask" | "psd";
  /** `output.mediaType`; the input's type when not given (Adobe's default). */
  readonly outputType: NonNullable<RemoveBackgroundV2Request["output"]>["mediaType"];
  /** The result file's extension, for the default `--out`. */
  readonly extension: string;
  readonly trim: boolean | undefined;
  readonly backgroundColor: RemoveBackgroundV2Request["backgroundColor"];
  readonly colorDecontamination: number | undefined;
  readonly out: string | undefined;
  readonly timeoutMs: number;
  /** The directory a relative `--out` starts from, and paths are shown relative to. */
  readonly cwd: string;
  /** Called with each step of the work, for the quickstart's narration. */
  readonly onStep?: (line: string) => void;
}

/**
 * Runs a remove-background job end to end: `--out` checked, input to URL, submit, wait, download
 * the hosted result.
 *
 * @returns The data the command prints.
 * @throws {CliError} For usage mistakes (a local file on the real API); the client's errors for API
 *   and job failures.
 */
export async function runRemoveBackground(
  session: Session,
  target: Target,
  request: RemoveBackgroundJob,
): Promise<{ text: string; data: Record<string, unknown> }> {
  const step = request.onStep ?? (() => {});
  checkJobInput(target, request.input);
  const outPath = await prepareOutPath(
    request.out ?? `out/${inputStem(request.input)}-${request.mode}.${request.extension}`,
    request.cwd,
  );
  const image = await currentSource(session, target, request.input);
  if (request.input.kind === "file")
    step(`uploaded ${basename(request.input.path)} to the emulator's storage`);
  const body: RemoveBackgroundV2Request = {
    image,
    mode: request.mode,
    ...(request.outputType === undefined ? {} : { output: { mediaType: request.outputType } }),
    ...(request.trim === undefined ? {} : { trim: request.trim }),
    ...(request.backgroundColor === undefined ? {} : { backgroundColor: request.backgroundColor }),
    ...(request.colorDecontamination === undefined
      ? {}
      : { colorDecontamination: request.colorDecontamination }),
  };
  const job = await target.client.removeBackground(body, { signal: session.context.signal });
  step(`removeBackground (mode ${request.mode}): job ${job.jobId} accepted`);
  return downloadSingleResult(session, target, job, {
    label: `remove-background job ${job.jobId}`,
    timeoutMs: request.timeoutMs,
    outPath,
    cwd: request.cwd,
    onSucceeded: (seconds) => step(`job ${job.jobId} succeeded after ${seconds.toFixed(1)} s`),
  });
}

/** What `mask-objects` is asked to do. */
export interface MaskObjectsJob {
  readonly input: InputSource;
  /** `--out-dir`: one PNG per region goes there; `out/<name>-masks` by default. */
  readonly outDir: string | undefined;
  readonly timeoutMs: number;
  readonly cwd: string;
}

/**
 * Runs a mask-objects job end to end and downloads every region's mask to
 * `<out-dir>/<n>-<label>.png`.
 *
 * @returns One line per region (label, score, box, file) and the same as data.
 */
export async function runMaskObjects(
  session: Session,
  target: Target,
  request: MaskObjectsJob,
): Promise<{ text: string; data: Record<string, unknown> }> {
  checkJobInput(target, request.input);
  const dir = request.outDir ?? `out/${inputStem(request.input)}-masks`;
  // Checked before the job runs, like every --out: a probe file in the directory.
  const probe = await prepareOutPath(join(dir, ".psapi-probe"), request.cwd);
  const image = await currentSource(session, target, request.input);
  const job = await target.client.maskObjects({ image }, { signal: session.context.signal });
  const { files } = await waitForOutputs(session, job, {
    label: `mask-objects job ${job.jobId}`,
    timeoutMs: request.timeoutMs,
  });
  const regions = [];
  for (const [index, file] of files.entries()) {
    const path = join(dirname(probe), maskFileName(index, file.label));
    const written = await downloadOutput(session, target, file, path);
    regions.push({
      kind: file.from.replace(/\[\d+\]$/, ""),
      label: file.label,
      score: file.score,
      boundingBox: file.boundingBox,
      path,
      bytes: written.data.bytes,
    });
  }
  const lines = regions.map(({ kind, label, score, boundingBox: box, path }) => {
    const where = box === undefined ? "" : ` at ${box.x},${box.y} ${box.width}×${box.height}`;
    const kindName = kind === "backgroundMasks" ? "background" : "object";
    return `${label ?? "?"} (${kindName}, score ${score?.toFixed(2) ?? "?"})${where} → ${displayPath(path, request.cwd)}`;
  });
  return {
    text: [`${regions.length} masks from job ${job.jobId}:`, ...lines].join("\n"),
    data: {
      target: target.description,
      job: succeededJob(job),
      regions,
    },
  };
}

/** What `fill` is asked to do. */
export interface FillJob {
  readonly input: InputSource;
  readonly masks: readonly InputSource[];
  readonly out: string | undefined;
  readonly timeoutMs: number;
  readonly cwd: string;
}

/**
 * Runs a fill-masked-areas job end to end: the photo and its masks to URLs, submit, wait, download
 * the filled image to `--out`.
 */
export async function runFill(
  session: Session,
  target: Target,
  request: FillJob,
): Promise<{ text: string; data: Record<string, unknown> }> {
  checkJobInput(target, request.input);
  for (const mask of request.masks) checkJobInput(target, mask);
  const own = extname(request.input.kind === "file" ? request.input.path : request.input.url.pathname);
  const extension = /^\.(jpe?g)$/i.test(own) ? "jpg" : "png";
  const outPath = await prepareOutPath(
    request.out ?? `out/${inputStem(request.input)}-filled.${extension}`,
    request.cwd,
  );
  const image = await currentSource(session, target, request.input);
  const masks = [];
  for (const mask of request.masks) masks.push(await currentSource(session, target, mask));
  const job = await target.client.fillMaskedAreas({ image, masks }, { signal: session.context.signal });
  return downloadSingleResult(session, target, job, {
    label: `fill job ${job.jobId}`,
    timeoutMs: request.timeoutMs,
    outPath,
    cwd: request.cwd,
  });
}
