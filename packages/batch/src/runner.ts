import { mkdir } from "node:fs/promises";
import { dirname, extname, join } from "node:path";
import { ImsError } from "@psapi/auth";
import {
  JobFailedError,
  JobTimeoutError,
  PhotoshopApiError,
  type PhotoshopClient,
  storageFor,
} from "@psapi/client/all";
import { type FetchLike, redactText, redactUrl, scrubDeep, startDeadline, systemClock } from "@psapi/core";
import { BatchError } from "./errors.js";
import { downloadHostedResult, fetchHostedResult } from "./hosted-results.js";
import { type BatchInput, inputDigest, resultFileName } from "./inputs.js";
import type { BatchJournal, InputState, JournalEvent } from "./journal.js";
import type {
  AcceptedJob,
  BatchOperation,
  HostedResult,
  OperationFile,
  OperationRequest,
} from "./operations.js";

/**
 * Storage the runner uploads local inputs to and downloads results from (the emulator's; Adobe has
 * none, so there inputs and outputs are URLs). Keys are chosen by the runner, stable across runs,
 * so a job accepted before a crash can still be downloaded after it.
 */
export interface BatchStorage {
  /** Uploads a local file under `key`; resolves with a pre-signed GET URL. */
  upload(key: string, path: string, signal: AbortSignal): Promise<string>;
  /** A pre-signed PUT URL for `key`. */
  outputUrl(key: string, signal: AbortSignal): Promise<string>;
  /** Downloads `key` to `path` (no partial file on failure); resolves with the byte count. */
  download(key: string, path: string, signal: AbortSignal): Promise<number>;
}

/** What one input of a batch ended with. */
export interface InputReport {
  readonly key: string;
  readonly status: "succeeded" | "failed";
  readonly jobId?: string;
  /** Submissions made for it, over every run. */
  readonly attempts: number;
  /** From the first transition to the last, over every run (ms). */
  readonly durationMs: number;
  /** The local file written, or the output URL without its query. */
  readonly output?: string;
  readonly error?: string;
  /** It had succeeded in an earlier run: nothing was sent for it this time. */
  readonly earlierRun?: boolean;
  /** Submissions whose outcome was unknown (a crash or a dropped connection): a job may be duplicated. */
  readonly inDoubt?: number;
}

/** Progress of a batch, for a progress bar or log lines. */
export type BatchProgress =
  | { readonly type: "start"; readonly total: number; readonly done: number }
  | { readonly type: "input"; readonly report: InputReport }
  | { readonly type: "retry"; readonly key: string; readonly attempt: number; readonly error: string };

/** What processing one input needs; the same for a local run and a fleet worker. */
export interface ProcessContext {
  readonly operation: BatchOperation;
  readonly client: PhotoshopClient;
  readonly journal: BatchJournal;
  /** Needed for local inputs and for results downloaded to `outDir`. */
  readonly storage?: BatchStorage;
  /** Where results are written when no output URL is given. */
  readonly outDir?: string;
  /**
   * Downloads hosted results and copies them to output URLs (plain pre-signed URLs: no credentials
   * are sent). Default the global `fetch`.
   */
  readonly fetch?: FetchLike;
  /** Submissions per input before it is reported failed. Default 3. */
  readonly maxAttempts?: number;
  /** Longest wait for one job (ms). Default 600000. */
  readonly jobTimeoutMs?: number;
  /** Try inputs that ended failed in an earlier run again. Default false. */
  readonly retryFailed?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BatchProgress) => void;
  /** Epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Hides the secrets the caller holds by value in what the batch writes: journal events (errors,
   * outputs; with `runBatch`, input keys too), reports and progress. Pass the `scrub` of
   * `createSecretRegistry` (@psapi/core) fed with your credentials. Default: none.
   */
  readonly scrub?: (text: string) => string;
}

/** Options of {@link runBatch}. */
export interface RunBatchOptions extends ProcessContext {
  readonly inputs: readonly BatchInput[];
  /** Inputs in flight at once. Default 4. */
  readonly concurrency?: number;
}

/** The end of a batch: counts and one entry per input. */
export interface BatchReport {
  readonly operation: string;
  readonly batchId: string;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Of the succeeded, how many had succeeded in an earlier run. */
  readonly earlierRun: number;
  readonly inDoubt: number;
  readonly durationMs: number;
  readonly inputs: readonly InputReport[];
}

/**
 * Checks what holds on any target (a fleet's enqueuer checks it before the workers see an input):
 * an operation that gives several files per input cannot write them to one output URL.
 *
 * @throws TypeError naming the first input with an output URL such an operation cannot fill.
 */
export function checkOutputs(inputs: readonly BatchInput[], operation: BatchOperation): void {
  if (!operation.manyResults) return;
  const input = inputs.find((each) => each.outputUrl !== undefined);
  if (input !== undefined) {
    throw new BatchError(
      "input-not-runnable",
      `${input.key} has an output URL, and ${operation.name} gives several files per input: drop the "output" column; the files go to outDir`,
      { input: input.key },
    );
  }
}

/**
 * Checks, before anything is sent, that every input can be run on this target: a local file needs
 * storage to upload to, and a result needs an output URL or storage to come back through.
 *
 * @throws TypeError naming the first input that cannot run, and what it needs.
 */
export function checkInputs(
  inputs: readonly BatchInput[],
  context: Pick<ProcessContext, "operation" | "storage" | "outDir">,
): void {
  checkOutputs(inputs, context.operation);
  for (const input of inputs) {
    if (input.source.kind === "file" && context.storage === undefined) {
      throw new BatchError(
        "input-not-runnable",
        `${input.key} is a local file, and this target has no storage to upload it to: give pre-signed URLs in a manifest`,
        { input: input.key },
      );
    }
    if (
      context.operation.output === "hosted" &&
      input.outputUrl === undefined &&
      context.outDir === undefined
    )
      throw new BatchError("invalid-option", "outDir is required to download results");
    if (context.operation.output === "href" && input.outputUrl === undefined) {
      if (context.storage === undefined) {
        throw new BatchError(
          "input-not-runnable",
          `${input.key} has no output URL, and this target has no storage to write it to: add an "output" column to the manifest`,
          { input: input.key },
        );
      }
      if (context.outDir === undefined)
        throw new BatchError("invalid-option", "outDir is required to download results");
    }
  }
}

/**
 * Runs every input through the operation, `concurrency` at a time, recording each transition in
 * the journal first, so that a run started again over the same journal skips what succeeded,
 * polls what was accepted instead of sending it again, and retries what failed up to `maxAttempts`.
 *
 * @param options - See {@link RunBatchOptions}.
 * @returns The report; `failed === 0` means every input succeeded.
 * @throws the signal's reason on abort; an `ImsError` that no retry can mend (bad credentials).
 * @example
 * const journal = await openFileJournal("out/journal.jsonl", "mask");
 * const report = await runBatch({ inputs, operation: OPERATIONS.mask, client, journal, storage, outDir: "out" });
 */
export async function runBatch(given: RunBatchOptions): Promise<BatchReport> {
  // The journal file is a log the user reads: with a scrubber, input keys (paths, URLs) are kept in
  // it scrubbed, and looked up the same way, so a run started again finds them.
  const options = given.scrub ? { ...given, journal: scrubbedKeys(given.journal, given.scrub) } : given;
  const now = options.now ?? Date.now;
  const startedAt = now();
  checkInputs(options.inputs, options);
  let done = 0;
  for (const input of options.inputs) {
    if ((await options.journal.state(input.key))?.status === "succeeded") done++;
  }
  options.onProgress?.({ type: "start", total: options.inputs.length, done });
  const reports: InputReport[] = new Array(options.inputs.length);
  let next = 0;
  // The run's signal ends on the caller's abort or on the first input that throws: one listener on
  // the caller's signal for the whole run, removed at its end.
  options.signal?.throwIfAborted();
  const run = new AbortController();
  const follow = () => run.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", follow);
  const lane = async () => {
    while (next < options.inputs.length && !run.signal.aborted) {
      const index = next++;
      const input = options.inputs[index] as BatchInput;
      // A signal of the input's own, following the run's: every request made for the input (undici's
      // Request included, which lets go of its signal only when garbage-collected) listens to this
      // one, so the run's signal holds one listener per input in flight, not one per request ever
      // made (MaxListenersExceededWarning over a long run).
      const own = startDeadline(systemClock, undefined, run.signal, "batch stopped");
      try {
        reports[index] = await processInput(input, { ...options, signal: own.signal });
      } catch (error) {
        run.abort(error);
        throw error;
      } finally {
        own.dispose();
      }
    }
  };
  const lanes = Array.from(
    { length: Math.max(1, Math.min(options.concurrency ?? 4, options.inputs.length)) },
    lane,
  );
  const results = await Promise.allSettled(lanes);
  options.signal?.removeEventListener("abort", follow);
  options.signal?.throwIfAborted();
  const rejected = results.find((result) => result.status === "rejected");
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  return summarize(options.operation.name, options.journal.batchId, reports, now() - startedAt);
}

/** The report of a set of inputs. */
export function summarize(
  operation: string,
  batchId: string,
  inputs: readonly InputReport[],
  durationMs: number,
): BatchReport {
  return {
    operation,
    batchId,
    total: inputs.length,
    succeeded: inputs.filter((input) => input.status === "succeeded").length,
    failed: inputs.filter((input) => input.status === "failed").length,
    earlierRun: inputs.filter((input) => input.earlierRun).length,
    inDoubt: inputs.reduce((sum, input) => sum + (input.inDoubt ?? 0), 0),
    durationMs,
    inputs,
  };
}

/** A journal whose input keys are scrubbed, in what it records and in what it is asked. */
function scrubbedKeys<T extends BatchJournal>(journal: T, scrub: (text: string) => string): T {
  return {
    ...journal,
    state: (key: string) => journal.state(scrub(key)),
    record: (event: JournalEvent) => journal.record({ ...event, key: scrub(event.key) }),
  };
}

/** A journal whose events' free text (errors, outputs) is scrubbed; keys stay as the caller's. */
function scrubbedText(journal: BatchJournal, scrub: (text: string) => string): BatchJournal {
  return {
    ...journal,
    record: (event: JournalEvent) =>
      journal.record({
        ...event,
        ...("error" in event && { error: scrub(event.error) }),
        ...("output" in event && event.output !== undefined && { output: scrub(event.output) }),
      } as JournalEvent),
  };
}

/** An attempt's error, sorted by what to do next. */
interface Outcome {
  readonly message: string;
  /** It would fail the same way again (a 4xx about the request): no retry. */
  readonly final: boolean;
}

/**
 * Takes one input from wherever the journal says it stands to its end: skip it when it succeeded,
 * poll the job when one was accepted, otherwise submit (again). Used by `runBatch` and by fleet workers.
 *
 * @returns Its report.
 * @throws the signal's reason on abort; an `ImsError` that is not retryable.
 */
export async function processInput(input: BatchInput, context: ProcessContext): Promise<InputReport> {
  const { operation, client } = context;
  const scrub = context.scrub ?? ((text: string) => text);
  const journal = context.scrub ? scrubbedText(context.journal, context.scrub) : context.journal;
  const signal = context.signal ?? new AbortController().signal;
  const maxAttempts = context.maxAttempts ?? 3;
  const timeoutMs = context.jobTimeoutMs ?? 600_000;
  const digest = inputDigest(input.key);
  const outputKey = `psapi-batch/${journal.batchId}/${digest}/output${extname(operation.suffix)}`;
  const outPath =
    input.outputUrl === undefined && context.outDir !== undefined
      ? join(context.outDir, resultFileName(input, operation.suffix))
      : undefined;
  let state = await journal.state(input.key);

  const report = (current: InputState | undefined, extra: Partial<InputReport> = {}): InputReport => {
    const result: InputReport = {
      key: input.key,
      status: current?.status === "succeeded" ? "succeeded" : "failed",
      attempts: current?.attempts ?? 0,
      durationMs: current ? current.lastAt - current.firstAt : 0,
      ...(current?.jobId !== undefined && { jobId: current.jobId }),
      ...(current?.output !== undefined && { output: current.output }),
      ...(current?.error !== undefined && current.status === "failed" && { error: current.error }),
      ...(current !== undefined && current.inDoubt > 0 && { inDoubt: current.inDoubt }),
      ...extra,
    };
    const shown = context.scrub ? scrubDeep(result, context.scrub) : result;
    context.onProgress?.({ type: "input", report: shown });
    return shown;
  };

  if (state?.status === "succeeded") return report(state, { earlierRun: true });
  if (state?.status === "failed" && state.final && !context.retryFailed)
    return report(state, { earlierRun: true });

  // The limit counts the tries of this run (a run started again gets its own): every submission, and
  // every preparation that failed before one (an upload refused, a file gone), so an input that
  // cannot even be prepared ends failed after maxAttempts tries instead of looping.
  let tries = 0;
  for (;;) {
    signal.throwIfAborted();
    let job: AcceptedJob | undefined =
      state?.status === "accepted" && state.jobId !== undefined && state.statusUrl !== undefined
        ? { jobId: state.jobId, statusUrl: state.statusUrl }
        : undefined;
    const attempt = job ? (state?.attempts ?? 1) : (state?.attempts ?? 0) + 1;
    if (!job) tries++;
    const lastTry = tries >= maxAttempts;
    try {
      if (!job) {
        const request = await prepare(input, context, digest, outputKey, signal);
        await journal.record({ event: "submitting", key: input.key, attempt });
        job = await submit(operation, client, request, signal);
        await journal.record({ event: "accepted", key: input.key, attempt, ...job });
      }
      const { results = [] } = await operation.wait(client, job, { signal, timeoutMs });
      const output = await fetchResult(input, context, { outputKey, outPath, results }, signal);
      await journal.record({
        event: "succeeded",
        key: input.key,
        attempt,
        jobId: job.jobId,
        ...(output !== undefined && { output }),
      });
      return report(await journal.state(input.key));
    } catch (error) {
      signal.throwIfAborted();
      if (error instanceof SubmissionInDoubt) {
        // Sent, never answered: the job may exist. The next attempt's "submitting" marks it in doubt.
        context.onProgress?.({ type: "retry", key: scrub(input.key), attempt, error: scrub(error.message) });
        state = await journal.state(input.key);
        if (lastTry) {
          await journal.record({
            event: "failed",
            key: input.key,
            attempt,
            error: error.message,
            final: true,
          });
          return report(await journal.state(input.key));
        }
        continue;
      }
      if (error instanceof ImsError && !error.retryable) throw error;
      if (error instanceof JobTimeoutError) {
        // The job may still finish: leave it accepted, so the next run polls it rather than sending it again.
        return report(await journal.state(input.key), {
          status: "failed",
          error: `job ${error.jobId} still running after ${Math.round(error.timeoutMs / 1000)} s; run again to keep polling it`,
        });
      }
      const outcome = classify(error);
      const final = outcome.final || lastTry;
      await journal.record({
        event: "failed",
        key: input.key,
        attempt,
        ...(job && { jobId: job.jobId }),
        error: outcome.message,
        final,
      });
      state = await journal.state(input.key);
      if (final) return report(state);
      context.onProgress?.({ type: "retry", key: scrub(input.key), attempt, error: scrub(outcome.message) });
    }
  }
}

/** A submission that was sent and got no answer: whether the service accepted it is unknown. */
class SubmissionInDoubt extends Error {
  override readonly name = "SubmissionInDoubt";
}

async function submit(
  operation: BatchOperation,
  client: PhotoshopClient,
  request: { input: OperationFile; output?: OperationFile },
  signal: AbortSignal,
): Promise<AcceptedJob> {
  try {
    return await operation.submit(client, request, signal);
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof PhotoshopApiError && error.status === 0) {
      throw new SubmissionInDoubt(
        `no answer to the submission (${error.message}); it may have been accepted`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

async function prepare(
  input: BatchInput,
  context: ProcessContext,
  digest: string,
  outputKey: string,
  signal: AbortSignal,
): Promise<OperationRequest> {
  const { storage, journal } = context;
  let inputHref: string;
  if (input.source.kind === "file") {
    if (!storage) throw new BatchError("input-not-runnable", "a local input needs storage");
    const key = `psapi-batch/${journal.batchId}/${digest}/input${extname(input.source.path).toLowerCase()}`;
    inputHref = await storage.upload(key, input.source.path, signal);
  } else {
    inputHref = input.source.url;
  }
  const file = (href: string): OperationFile => ({ href, storage: storageFor(href) });
  // A template row's files (a product photo named in the CSV): one object per file, so that rows
  // sharing a file upload it under one key.
  const row = {
    key: input.key,
    ...(input.values !== undefined && { values: input.values }),
    ...(storage !== undefined && {
      upload: (path: string) =>
        storage.upload(
          `psapi-batch/${journal.batchId}/files/${inputDigest(path)}${extname(path).toLowerCase()}`,
          path,
          signal,
        ),
    }),
  };
  if (context.operation.output === "hosted") return { input: file(inputHref), ...row };
  const outputHref = input.outputUrl ?? (await (storage as BatchStorage).outputUrl(outputKey, signal));
  return { input: file(inputHref), output: file(outputHref), ...row };
}

/**
 * Brings the result where it belongs. `"href"` operations wrote it to the output URL: download it
 * from storage to `outPath` when the runner chose that URL. `"hosted"` ones name short-lived URLs:
 * copy the one file to the input's output URL (GET, then PUT), or download every file to `outDir`.
 *
 * @returns What the report shows as the output: a local path or an output URL without its query.
 */
async function fetchResult(
  input: BatchInput,
  context: ProcessContext,
  where: { outputKey: string; outPath: string | undefined; results: readonly HostedResult[] },
  signal: AbortSignal,
): Promise<string | undefined> {
  const fetch = context.fetch ?? ((request: Request) => globalThis.fetch(request));
  if (context.operation.output === "hosted") {
    const [first] = where.results;
    if (first === undefined) throw new BatchError("no-result", "the job named no result file");
    if (input.outputUrl !== undefined) {
      checkOutputs([input], context.operation);
      await copyHosted(fetch, first, input.outputUrl, signal);
      return redactUrl(input.outputUrl);
    }
    const outDir = context.outDir;
    if (outDir === undefined)
      throw new BatchError("invalid-option", "outDir is required to download results");
    const paths: string[] = [];
    for (const result of where.results) {
      const path = join(outDir, resultFileName(input, result.suffix));
      await downloadHostedResult(result.url, path, { fetch, signal });
      paths.push(path);
    }
    return context.operation.manyResults
      ? join(outDir, resultFileName(input, context.operation.suffix))
      : paths[0];
  }
  if (input.outputUrl !== undefined) return redactUrl(input.outputUrl);
  if (where.outPath === undefined || !context.storage) return undefined;
  await mkdir(dirname(where.outPath), { recursive: true });
  await context.storage.download(where.outputKey, where.outPath, signal);
  return where.outPath;
}

/** Copies a hosted result to the caller's pre-signed output URL: GET, then PUT of the same bytes. */
async function copyHosted(
  fetch: FetchLike,
  result: HostedResult,
  outputUrl: string,
  signal: AbortSignal,
): Promise<void> {
  const source = await fetchHostedResult(result.url, { fetch, signal });
  const type = result.mediaType ?? source.headers.get("content-type") ?? "application/octet-stream";
  const bytes = await source.arrayBuffer();
  // Azure's Put Blob wants the blob type named; S3, Google and Dropbox links take a plain PUT.
  const headers: Record<string, string> = { "content-type": type };
  if (storageFor(outputUrl) === "azure") headers["x-ms-blob-type"] = "BlockBlob";
  const response = await fetch(new Request(outputUrl, { method: "PUT", body: bytes, headers, signal }));
  await response.body?.cancel();
  if (!response.ok) {
    throw new Error(`upload of the result to ${redactUrl(outputUrl)} failed (HTTP ${response.status})`);
  }
}

function classify(error: unknown): Outcome {
  // The journal and report keep the problem without the package name; a row whose values do not
  // fit the template fails the same way on every attempt.
  if (error instanceof BatchError)
    return { message: error.problem, final: error.code === "invalid-template" };
  if (error instanceof JobFailedError)
    return { message: `job ${error.jobId} failed: ${error.message}`, final: false };
  if (error instanceof PhotoshopApiError) {
    // 404 on a poll: the service no longer knows the job (an emulator restarted): submit again.
    const final =
      !error.retryable &&
      error.status >= 400 &&
      error.status < 500 &&
      error.status !== 404 &&
      error.status !== 401;
    return { message: error.message, final };
  }
  if (error instanceof ImsError) return { message: error.message, final: false };
  return { message: redactText(error instanceof Error ? error.message : String(error)), final: false };
}
