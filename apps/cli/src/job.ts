import { basename } from "node:path";
import { type JobHandle, type JobStatus, storageFor } from "@psapi/client";
import { redactUrl } from "@psapi/core";
import { CliError, usageError } from "./cli-error.js";
import { displayPath, formatBytes, pngSize } from "./display.js";
import type { EmulatorStorage } from "./emulator-storage.js";
import { ExitCode } from "./exit-codes.js";
import { createProgress } from "./progress.js";
import { DeadlineExceededError } from "./run-signal.js";
import type { Session } from "./session.js";
import { laterStatusCommand, type Target } from "./target.js";
import type { InputSource } from "./validate.js";
import { prepareOutPath } from "./validate.js";

/** Where a job reads from: the href and storage type the API is given. */
export interface JobInput {
  readonly href: string;
  readonly storage: "external" | "azure" | "dropbox";
  /** The file name, for naming results. */
  readonly name: string;
}

/**
 * Checks that the target can take this input, before anything is written or uploaded: the real
 * API reads only URLs, and the embedded emulator stays offline, reading only its own storage.
 *
 * @param target - Where the job will run.
 * @param input - The parsed `<input>` or `--input-url`.
 * @throws {CliError} (usage) When the target cannot read the input.
 */
export function checkJobInput(target: Target, input: InputSource): void {
  if (input.kind === "url" && target.kind === "embedded") {
    throw usageError(
      `the embedded emulator does not download from ${input.url.host}`,
      `pass a local file, or serve an emulator that may: psapi emulator --allow-host ${input.url.host}, ` +
        "then --base-url http://127.0.0.1:4010",
    );
  }
  if (input.kind === "file" && target.storage === undefined) {
    throw usageError(
      `the Photoshop API cannot read a local file (${basename(input.path)}): it reads and writes URLs only`,
      "upload the file to storage you control and pass a pre-signed GET URL as <input> or --input-url " +
        "(and a pre-signed PUT URL with --output-url); or unset the credentials to use the embedded emulator",
    );
  }
}

/**
 * Turns an `<input>` into what the API reads: a URL as it is; a local file uploaded to the
 * emulator's storage first.
 *
 * @param session - The run (for the Ctrl-C signal).
 * @param target - Where the job will run.
 * @param input - The parsed `<input>` or `--input-url`.
 * @throws {CliError} (usage) See {@link checkJobInput}.
 */
export async function resolveJobInput(
  session: Session,
  target: Target,
  input: InputSource,
): Promise<JobInput> {
  checkJobInput(target, input);
  if (input.kind === "url") {
    return {
      href: input.url.href,
      storage: storageFor(input.url),
      name: basename(input.url.pathname) || "input",
    };
  }
  // checkJobInput has made sure there is storage for a local file.
  const { href } = await (target.storage as EmulatorStorage).upload(input.path, session.context.signal);
  return { href, storage: "external", name: basename(input.path) };
}

/**
 * Waits for a job with a progress line (state and elapsed time) on a terminal, and turns Ctrl-C
 * into a clean exit 130 that says how to look at the job later.
 *
 * @param session - The run: its output, clock and Ctrl-C signal.
 * @param job - The submitted job.
 * @param options - `label` for the progress line, `timeoutMs` for the wait.
 * @returns The final status the client's `wait()` resolves with.
 * @throws {CliError} (interrupted) On Ctrl-C; otherwise the client's own errors.
 */
export async function waitWithProgress<T extends JobStatus>(
  session: Session,
  job: JobHandle<T>,
  options: { label: string; timeoutMs: number },
): Promise<T> {
  const { context, output } = session;
  const progress = createProgress({ stream: output.stderr, label: options.label, now: context.now });
  try {
    return await job.wait({
      signal: context.signal,
      timeoutMs: options.timeoutMs,
      onProgress: (status) => progress.update(stateOf(status)),
    });
  } catch (error) {
    if (context.signal.reason instanceof DeadlineExceededError) {
      const later = laterStatusCommand(job.statusUrl, session.target);
      throw new CliError(`job ${job.jobId} did not finish within ${context.signal.reason.seconds} s`, {
        exitCode: ExitCode.network,
        hint: `raise --timeout${later === undefined ? "" : `, or look at it later with: ${later}`}`,
        cause: error,
      });
    }
    if (context.signal.aborted) {
      const later = laterStatusCommand(job.statusUrl, session.target);
      throw new CliError(`interrupted while waiting for job ${job.jobId}`, {
        exitCode: ExitCode.interrupted,
        hint:
          later === undefined
            ? "the embedded emulator ends its jobs with psapi: nothing is left running"
            : `the job may still be running; look at it later with: ${later}`,
      });
    }
    throw error;
  } finally {
    progress.stop();
  }
}

/** The state to show for a status body: sensei's `status`, or the psdService outputs' states. */
function stateOf(status: JobStatus): string {
  if ("outputs" in status)
    return [...new Set(status.outputs.map((output) => output.status))].join(", ") || "pending";
  return status.status;
}

/** What `mask` and `cutout` (and the quickstart) are asked to do. */
export interface ImageJobRequest {
  readonly kind: "mask" | "cutout";
  readonly input: InputSource;
  /** `--output-url`: the API writes there, and nothing is downloaded. */
  readonly outputUrl: URL | undefined;
  /** `--out`: where to write the result; a default next to `out/` when not given. */
  readonly out: string | undefined;
  /** Mask format (mask only). */
  readonly format: "soft" | "binary" | undefined;
  readonly timeoutMs: number;
  /** The directory a relative `--out` starts from, and paths are shown relative to. */
  readonly cwd: string;
  /** Called with each step of the work, for the quickstart's narration. */
  readonly onStep?: (line: string) => void;
}

/**
 * Runs a create-mask or remove-background job end to end: input to URL, output URL, submit, wait,
 * and download the result to `--out` when the target has storage.
 *
 * @param session - The run.
 * @param target - The opened target.
 * @param request - See {@link ImageJobRequest}.
 * @returns The data the command prints.
 * @throws {CliError} For usage mistakes (a local file or no `--output-url` on the real API, an
 *   `--output-url` on the embedded emulator); the
 *   client's errors for API and job failures.
 */
export async function runImageJob(
  session: Session,
  target: Target,
  request: ImageJobRequest,
): Promise<{ text: string; data: Record<string, unknown> }> {
  const { context } = session;
  const step = request.onStep ?? (() => {});
  checkJobInput(target, request.input);
  if (request.outputUrl !== undefined && target.kind === "embedded") {
    // The embedded emulator is offline and its storage lives only as long as this run: the job
    // would fail on the upload, and the hint of a failed job would point at the input.
    throw usageError(
      `the embedded emulator does not upload to ${request.outputUrl.host}`,
      "leave out --output-url to get the result in --out, or serve an emulator that may: " +
        `psapi emulator --allow-host ${request.outputUrl.host}, then --base-url http://127.0.0.1:4010`,
    );
  }
  if (request.outputUrl === undefined && target.storage === undefined) {
    throw usageError(
      `the Photoshop API writes the ${request.kind} to a URL, not to a local file`,
      "pass a pre-signed PUT URL with --output-url",
    );
  }
  const stem = basename(
    request.input.kind === "file" ? request.input.path : request.input.url.pathname,
  ).replace(/\.[^.]*$/, "");
  const resultName = `${stem || "image"}-${request.kind}.png`;
  const outPath =
    request.outputUrl === undefined
      ? await prepareOutPath(request.out ?? `out/${resultName}`, request.cwd)
      : undefined;

  const input = await resolveJobInput(session, target, request.input);
  if (request.input.kind === "file") step(`uploaded ${input.name} to the emulator's storage`);
  const reserved =
    request.outputUrl === undefined
      ? await target.storage?.reserveOutput(resultName, context.signal)
      : undefined;
  const outputHref = request.outputUrl?.href ?? reserved?.href ?? "";
  const output = {
    href: outputHref,
    storage: request.outputUrl === undefined ? ("external" as const) : storageFor(request.outputUrl),
    ...(request.kind === "mask" ? { mask: { format: request.format ?? "soft" } } : {}),
  };
  const body = { input: { href: input.href, storage: input.storage }, output };
  const options = { signal: context.signal };
  const job =
    request.kind === "mask"
      ? await target.client.createMask(body, options)
      : await target.client.removeBackground(body, options);
  step(`${request.kind === "mask" ? "createMask" : "removeBackground"}: job ${job.jobId} accepted`);
  const startedAt = context.now();
  await waitWithProgress(session, job, {
    label: `${request.kind} job ${job.jobId}`,
    timeoutMs: request.timeoutMs,
  });
  step(`job ${job.jobId} succeeded after ${((context.now() - startedAt) / 1000).toFixed(1)} s`);

  const jobData = { id: job.jobId, statusUrl: job.statusUrl, status: "succeeded" };
  if (outPath === undefined || reserved === undefined) {
    const where = redactUrl(outputHref);
    return {
      text: `job ${job.jobId} succeeded; the ${request.kind} was written to ${where}`,
      data: { target: target.description, job: jobData, output: { url: where } },
    };
  }
  const bytes = await reserved.download(outPath, context.signal);
  const size = pngSize(bytes);
  const what = size
    ? `PNG ${size.width}×${size.height}, ${formatBytes(bytes.byteLength)}`
    : formatBytes(bytes.byteLength);
  return {
    text: `wrote ${displayPath(outPath, request.cwd)} (${what})`,
    data: {
      target: target.description,
      job: jobData,
      output: { path: outPath, bytes: bytes.byteLength, ...size },
    },
  };
}
