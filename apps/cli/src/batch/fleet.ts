import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { BatchInput, BatchOperation, CompositeOperationOptions } from "@psapi/batch";
import { CliError, problemOf, usageError } from "../cli-error.js";
import { ExitCode } from "../exit-codes.js";
import type { Session } from "../session.js";
import { expand } from "./expand.js";
import { finish } from "./finish.js";
import type { BatchOptions } from "./options.js";
import { createBatchDisplay } from "./progress.js";
import { reachRedis, redisPassword } from "./reach-redis.js";

/**
 * `psapi batch --queue`: puts the inputs on the fleet's queue (once each), then follows the
 * fleet's progress until every input has finished and writes the report; `--no-wait` returns once
 * queued; `--status` prints where the batch stands and returns.
 */
export async function runFleetBatch(
  session: Session,
  spec: string,
  operation: BatchOperation,
  options: BatchOptions & {
    queue: URL;
    outDir: string;
    reportPath: string;
    /** `--op composite`: the CSV's rows and the settings every worker builds the operation from. */
    rows?: { inputs: BatchInput[]; settings: CompositeOperationOptions };
  },
): Promise<void> {
  const { cwd } = session.context;
  session.secrets.add(redisPassword(options.queue));
  const batch = await import("@psapi/batch");
  const batchId = options.batchId ?? defaultBatchId(operation.name, resolve(cwd, spec));
  try {
    batch.checkBatchId(batchId);
  } catch {
    // The batch package's rule (its BatchError "invalid-batch-id"), in the CLI's words.
    throw usageError(
      `--batch-id ${JSON.stringify(batchId.slice(0, 80))} is not 1 to 64 letters, digits, "_", "." or "-"`,
      "for example --batch-id photos-2024.run_1",
    );
  }
  // The fleet's connection waits out an outage without a word: first make sure Redis is there at all.
  const reach = () =>
    reachRedis(options.queue, { timeoutMs: options.timeout * 1000, signal: session.context.signal });
  if (options.status) {
    await reach();
    const redis = batch.createFailFastRedis(options.queue.href);
    redis.on("error", () => {});
    try {
      const status = await batch.fleetStatus(redis, batchId);
      if (status.total === 0)
        throw usageError(`no batch ${batchId} on ${options.queue.host}`, "queue it first");
      const text =
        `batch ${batchId} (${status.operation}): ${status.succeeded} succeeded, ${status.failed} failed, ` +
        `${status.inFlight} in flight, ${status.waiting} waiting, of ${status.total}` +
        (status.inDoubt > 0 ? `; ${status.inDoubt} in doubt` : "");
      const { inputs: _inputs, finished: _finished, ...counts } = status;
      session.output.result(text, counts);
      return;
    } finally {
      redis.disconnect();
    }
  }
  const inputs = options.rows?.inputs ?? (await expand(spec, cwd));
  try {
    batch.checkOutputs(inputs, operation);
  } catch (error) {
    throw usageError(problemOf(error) ?? (error as Error).message, "see: psapi batch --help");
  }
  await reach();
  const redis = batch.createPatientRedis(options.queue.href);
  redis.on("error", () => {});
  try {
    const { queued, finished } = await batch.enqueueBatch({
      redis,
      batchId,
      operation: operation.name,
      inputs,
      outDir: options.outDir,
      ...(options.rows && { template: options.rows.settings }),
      retryFailed: options.retryFailed === true,
      ...(options.retention !== undefined && { retentionMs: options.retention }),
    });
    session.output.note(
      `batch ${batchId}: queued ${queued} inputs on ${options.queue.host} (${finished} already finished)`,
    );
    if (!options.wait) {
      session.output.result(`queued ${queued} inputs as batch ${batchId}; follow it with --status`, {
        batchId,
        queued,
        finished,
      });
      return;
    }
    const display = createBatchDisplay(session.output.stderr);
    try {
      const report = await batch.followBatch({
        redis,
        batchId,
        signal: session.context.signal,
        onProgress: (progress) => display.update(progress),
      });
      await finish(session, report, options.reportPath);
    } catch (error) {
      if (session.context.signal.aborted) {
        throw new CliError("stopped following the batch; the workers go on", {
          exitCode: ExitCode.interrupted,
          hint: `follow it again with the same command, or look with --status`,
        });
      }
      throw error;
    } finally {
      display.stop();
    }
  } finally {
    redis.disconnect();
  }
}

/** A batch's id: the operation and the inputs' location, so the same command names the same batch. */
function defaultBatchId(operation: string, spec: string): string {
  return createHash("sha256").update(`${operation}\n${spec}`).digest("hex").slice(0, 16);
}
