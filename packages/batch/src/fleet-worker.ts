// A worker that runs queued inputs.
import { type Logger, startDeadline, systemClock } from "@psapi/core";
import { type Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { BatchError } from "./errors.js";
import { createRedisJournal } from "./fleet-journal.js";
import { type FleetJobData, fleetKeys, QUEUE_NAME } from "./fleet-keys.js";
import {
  type BatchOperation,
  type CompositeOperationOptions,
  compositeOperation,
  operationNamed,
} from "./operations.js";
import { checkInputs, type InputReport, type ProcessContext, processInput } from "./runner.js";

class JobStillRunning extends Error {
  override readonly name = "JobStillRunning";
}

/** Options of {@link startWorker}. */
export interface StartWorkerOptions {
  /** A connection that waits out an outage ({@link createPatientRedis}); BullMQ duplicates it. */
  redis: Redis;
  /** What processing needs besides the journal, the operation and the output directory (from the job). */
  context: Omit<ProcessContext, "journal" | "operation" | "outDir">;
  /** Inputs in flight at once. Default 4. */
  concurrency?: number;
  /**
   * How long a worker's claim on an input lasts without renewal (ms): a worker that dies holds its
   * inputs this long (plus one stalled-check interval) before others take them. Default 30000.
   */
  lockDurationMs?: number;
  logger?: Logger;
}

/**
 * A BullMQ worker that runs queued inputs with {@link processInput} and the Redis journal, so every
 * worker of a fleet applies the same rules: finished inputs are skipped, accepted jobs polled, failed
 * ones retried up to the limit. A worker that dies leaves its inputs to the others once its lock
 * expires; they read the journal and go on from there.
 *
 * An input this worker cannot run (a local file and no storage: {@link checkInputs}) is recorded
 * failed for good at once. A job still running when the worker's wait for it (`jobTimeoutMs`) runs
 * out goes back to BullMQ, which runs the input again after a back-off, and the next run polls the
 * same job; after the queue's last attempt (5) it is recorded failed for good, so the batch ends.
 *
 * @returns `close()`: stops taking inputs; `force` abandons the ones in flight to other workers.
 */
export function startWorker(options: StartWorkerOptions): {
  close(force?: boolean): Promise<void>;
  worker: Worker;
} {
  const lockDuration = options.lockDurationMs ?? 30_000;
  const onProgress = options.context.onProgress;
  let warned = false;
  // A template batch's operation is built from the settings its enqueuer left in the batch's meta,
  // once per batch this worker sees.
  const templates = new Map<string, Promise<BatchOperation>>();
  const operationOf = (data: FleetJobData): Promise<BatchOperation> => {
    if (data.operation !== "composite") return Promise.resolve(operationNamed(data.operation));
    let operation = templates.get(data.batchId);
    if (!operation) {
      operation = options.redis.hget(fleetKeys(data.batchId).meta, "template").then((text) => {
        if (text === null) {
          throw new BatchError(
            "batch-mismatch",
            `batch ${data.batchId} has no template settings in Redis (expired, or queued by an older psapi)`,
            { input: data.batchId },
          );
        }
        return compositeOperation(JSON.parse(text) as CompositeOperationOptions);
      });
      operation.catch(() => templates.delete(data.batchId));
      templates.set(data.batchId, operation);
    }
    return operation;
  };
  const worker = new Worker<FleetJobData, InputReport>(
    QUEUE_NAME,
    async (job: Job<FleetJobData>) => {
      const operation = await operationOf(job.data);
      const journal = createRedisJournal(options.redis, job.data.batchId, operation.name);
      const { input } = job.data;
      // A signal of the job's own, following the worker's: every request made for the job (undici's
      // Request included, which lets go of its signal only when garbage-collected) listens to this
      // one, so the worker's long-lived signal holds one listener per job in flight, not per request.
      const jobSignal = startDeadline(systemClock, undefined, options.context.signal, "worker stopped");
      try {
        return await runJob(job, operation, journal, input, jobSignal.signal);
      } finally {
        jobSignal.dispose();
      }
    },
    {
      connection: options.redis,
      concurrency: options.concurrency ?? 4,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 1000,
    },
  );
  async function runJob(
    job: Job<FleetJobData>,
    operation: ReturnType<typeof operationNamed>,
    journal: ReturnType<typeof createRedisJournal>,
    input: FleetJobData["input"],
    signal: AbortSignal,
  ): Promise<InputReport> {
    // The input's report is held until this run's outcome is known: a job still running is not the end.
    let held: InputReport | undefined;
    const context: ProcessContext = {
      ...options.context,
      signal,
      operation,
      journal,
      ...(job.data.outDir !== undefined && { outDir: job.data.outDir }),
      onProgress: (progress) => {
        if (progress.type === "input") held = progress.report;
        else onProgress?.(progress);
      },
    };
    const fail = async (problem: string): Promise<InputReport> => {
      const error = options.context.scrub?.(problem) ?? problem;
      const state = await journal.state(input.key);
      await journal.record({
        event: "failed",
        key: input.key,
        attempt: state?.attempts ?? 0,
        ...(state?.jobId !== undefined && { jobId: state.jobId }),
        error,
        final: true,
      });
      const report: InputReport = {
        key: input.key,
        status: "failed",
        attempts: state?.attempts ?? 0,
        durationMs: state ? state.lastAt - state.firstAt : 0,
        ...(state?.jobId !== undefined && { jobId: state.jobId }),
        error,
        ...(state !== undefined && state.inDoubt > 0 && { inDoubt: state.inDoubt }),
      };
      onProgress?.({ type: "input", report });
      return report;
    };
    try {
      checkInputs([input], context);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      // This worker cannot run it, and running it again here would fail the same way.
      return fail(error instanceof BatchError ? error.problem : error.message);
    }
    let report: InputReport;
    try {
      report = await processInput(input, context);
    } catch (error) {
      if (options.context.signal?.aborted) throw error;
      // An error no retry mends (credentials): the input is reported failed, not retried forever.
      await fail(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      throw error;
    }
    const state = await journal.state(input.key);
    if (state?.status === "accepted" || state?.status === "submitting") {
      // processInput's wait ran out and the job may still finish: BullMQ runs the input again after
      // its back-off, and the next run polls the same job; after the last run it is given up on.
      const runs = job.attemptsMade + 1;
      const waitS = (options.context.jobTimeoutMs ?? 600_000) / 1000;
      if (runs < (job.opts.attempts ?? 1)) {
        const error = `job ${state.jobId ?? "?"} still running after ${waitS} s; polling it again later`;
        onProgress?.({ type: "retry", key: input.key, attempt: state.attempts, error });
        throw new JobStillRunning(error);
      }
      return fail(
        `job ${state.jobId ?? "?"} still running after ${runs} waits of ${waitS} s each; gave up on it`,
      );
    }
    if (held !== undefined) onProgress?.({ type: "input", report: held });
    return report;
  }
  worker.on("error", (error) => {
    if (warned) return;
    warned = true;
    options.logger?.warn?.("worker lost Redis; it goes on once Redis is back", {
      source: "@psapi/batch",
      error: error.name,
    });
  });
  worker.on("ready", () => {
    warned = false;
  });
  return {
    worker,
    close: (force = false) => worker.close(force),
  };
}
