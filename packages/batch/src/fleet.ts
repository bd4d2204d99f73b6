import { type Clock, type Logger, systemClock } from "@psapi/core";
import { type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { BatchError } from "./errors.js";
import { type BatchInput, inputDigest } from "./inputs.js";
import { applyEvent, type BatchJournal, type InputState, type JournalEvent } from "./journal.js";
import { operationNamed } from "./operations.js";
import {
  type BatchProgress,
  type BatchReport,
  checkInputs,
  type InputReport,
  type ProcessContext,
  processInput,
  summarize,
} from "./runner.js";

/** The BullMQ queue every psapi batch goes through; a job names its batch. */
export const QUEUE_NAME = "psapi-batch";

/** What one queued input carries. */
export interface FleetJobData {
  readonly batchId: string;
  readonly operation: string;
  readonly input: BatchInput;
  /** Where results are downloaded (a path the workers can write: same machine or a shared disk). */
  readonly outDir?: string;
}

/**
 * What a batch id may be: it names Redis keys and BullMQ job ids, and BullMQ refuses a custom job id
 * with a `:` in it.
 */
const BATCH_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Checks a batch id before anything is written under it.
 *
 * @param batchId - The id to check.
 * @throws TypeError when it is not 1 to 64 letters, digits, `_`, `.` or `-`.
 * @example
 * checkBatchId("photos-2024.run_1"); // ok
 * checkBatchId("run:2024"); // throws
 */
export function checkBatchId(batchId: string): void {
  if (!BATCH_ID.test(batchId)) {
    throw new BatchError(
      "invalid-batch-id",
      `batch id ${JSON.stringify(batchId.slice(0, 80))} is not 1 to 64 letters, digits, "_", "." or "-"`,
      { input: batchId },
    );
  }
}

const keys = (batchId: string) => ({
  meta: `psapi:batch:${batchId}:meta`,
  inputs: `psapi:batch:${batchId}:inputs`,
  state: `psapi:batch:${batchId}:state`,
  log: `psapi:batch:${batchId}:log`,
});

/**
 * The fleet's journal in Redis: each input's state in a hash (`psapi:batch:<id>:state`) and every
 * transition appended to a stream (`psapi:batch:<id>:log`), both in one MULTI. Redis must persist
 * (AOF) for the journal to outlive a Redis restart; give it a connection that waits out an outage
 * ({@link createPatientRedis}), so a worker pauses rather than fails while Redis is away.
 *
 * @param redis - The connection.
 * @param batchId - The batch.
 * @param operation - Its operation.
 */
export function createRedisJournal(redis: Redis, batchId: string, operation: string): BatchJournal {
  const k = keys(batchId);
  const read = async (key: string): Promise<InputState | undefined> => {
    const text = await redis.hget(k.state, key);
    return text === null ? undefined : (JSON.parse(text) as InputState);
  };
  return {
    batchId,
    operation,
    state: read,
    async record(event: JournalEvent) {
      const t = Date.now();
      const next = applyEvent(await read(event.key), event, t);
      await redis
        .multi()
        .hset(k.state, event.key, JSON.stringify(next))
        .xadd(k.log, "*", "event", JSON.stringify({ ...event, t }))
        .exec();
    },
    async close() {},
  };
}

/** Options of {@link enqueueBatch}. */
export interface EnqueueOptions {
  /** A connection that waits out an outage ({@link createPatientRedis}). */
  redis: Redis;
  batchId: string;
  operation: string;
  inputs: readonly BatchInput[];
  outDir?: string;
  /**
   * Queue the inputs that ended failed again. Default false. Each one's final failure is first
   * turned into a failure with attempts left in the journal, so that workers retry it and
   * {@link followBatch} waits for it.
   */
  retryFailed?: boolean;
  /**
   * First delay of BullMQ's exponential back-off before a queued input runs again (a worker crash,
   * or a job still running when the worker's wait for it ran out), in ms. Default 1000.
   */
  retryDelayMs?: number;
}

/** Runs a queued input gets from BullMQ (a job still running is polled again on each). */
const FLEET_ATTEMPTS = 5;

/**
 * Puts a batch's inputs on the queue: once each (the BullMQ job id is the batch and the input's
 * digest, and inputs the journal has as finished are not queued), so running it again adds only
 * what is new or unfinished.
 *
 * @returns How many inputs were queued, and how many were already finished.
 * @throws TypeError when the batch id is not valid ({@link checkBatchId}; nothing is written then), or
 *   belongs to a batch of another operation.
 */
export async function enqueueBatch(options: EnqueueOptions): Promise<{ queued: number; finished: number }> {
  const { redis, batchId, operation } = options;
  checkBatchId(batchId);
  const k = keys(batchId);
  await redis.hsetnx(k.meta, "operation", operation);
  await redis.hsetnx(k.meta, "createdAt", String(Date.now()));
  const existing = await redis.hget(k.meta, "operation");
  if (existing !== operation) {
    throw new BatchError("batch-mismatch", `batch ${batchId} is a ${existing} batch, not ${operation}`, {
      input: batchId,
    });
  }
  const queue = new Queue<FleetJobData>(QUEUE_NAME, { connection: redis });
  try {
    const journal = createRedisJournal(redis, batchId, operation);
    let finished = 0;
    const jobs: { name: string; data: FleetJobData; opts: { jobId: string } }[] = [];
    for (const input of options.inputs) {
      await redis.hsetnx(k.inputs, input.key, JSON.stringify(input));
      const state = await journal.state(input.key);
      if (
        state?.status === "succeeded" ||
        (state?.status === "failed" && state.final && !options.retryFailed)
      ) {
        finished++;
        continue;
      }
      // A retried input needs a job id of its own: BullMQ keeps the id of a finished job.
      const round = state?.status === "failed" && state.final ? `-r${state.attempts}` : "";
      if (state?.status === "failed" && state.final) {
        // Before it is queued, so that no worker can still find the final failure (it would skip the
        // input) and followBatch waits for the retry instead of counting the input finished.
        await journal.record({
          event: "failed",
          key: input.key,
          attempt: state.attempts,
          ...(state.jobId !== undefined && { jobId: state.jobId }),
          error: state.error ?? "failed",
          final: false,
        });
      }
      jobs.push({
        name: operation,
        data: { batchId, operation, input, ...(options.outDir !== undefined && { outDir: options.outDir }) },
        opts: { jobId: `${batchId}-${inputDigest(input.key)}${round}` },
      });
    }
    for (let i = 0; i < jobs.length; i += 500) {
      await queue.addBulk(
        jobs.slice(i, i + 500).map((job) => ({
          ...job,
          opts: {
            ...job.opts,
            attempts: FLEET_ATTEMPTS,
            backoff: { type: "exponential", delay: options.retryDelayMs ?? 1000 },
            removeOnComplete: { age: 24 * 3600 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        })),
      );
    }
    return { queued: jobs.length, finished };
  } finally {
    await queue.close();
  }
}

/** Where a fleet batch stands. */
export interface FleetStatus {
  readonly batchId: string;
  readonly operation: string | undefined;
  readonly total: number;
  readonly succeeded: number;
  /** Failed with no attempt left. */
  readonly failed: number;
  /** Submitted or accepted, or failed with attempts left. */
  readonly inFlight: number;
  /** Not started. */
  readonly waiting: number;
  readonly inDoubt: number;
  readonly createdAt: number | undefined;
  /** One entry per input, as in a local run's report. */
  readonly inputs: readonly InputReport[];
  /** The keys of the inputs that have finished (succeeded, or failed with no attempt left). */
  readonly finished: ReadonlySet<string>;
}

/**
 * Reads a fleet batch's progress from its journal.
 *
 * @param redis - Any connection.
 * @param batchId - The batch.
 */
export async function fleetStatus(redis: Redis, batchId: string): Promise<FleetStatus> {
  const k = keys(batchId);
  const [meta, inputs, states] = await Promise.all([
    redis.hgetall(k.meta),
    redis.hkeys(k.inputs),
    redis.hgetall(k.state),
  ]);
  let succeeded = 0;
  let failed = 0;
  let inFlight = 0;
  let inDoubt = 0;
  const reports: InputReport[] = [];
  const finished = new Set<string>();
  for (const key of inputs.sort()) {
    const text = states[key];
    const state = text === undefined ? undefined : (JSON.parse(text) as InputState);
    inDoubt += state?.inDoubt ?? 0;
    if (state?.status === "succeeded") {
      succeeded++;
      finished.add(key);
    } else if (state?.status === "failed" && state.final) {
      failed++;
      finished.add(key);
    } else if (state !== undefined) inFlight++;
    reports.push({
      key,
      status: state?.status === "succeeded" ? "succeeded" : "failed",
      attempts: state?.attempts ?? 0,
      durationMs: state ? state.lastAt - state.firstAt : 0,
      ...(state?.jobId !== undefined && { jobId: state.jobId }),
      ...(state?.output !== undefined && { output: state.output }),
      ...(state?.status !== "succeeded" && { error: state?.error ?? "not finished" }),
      ...(state !== undefined && state.inDoubt > 0 && { inDoubt: state.inDoubt }),
    });
  }
  return {
    batchId,
    operation: meta.operation,
    total: inputs.length,
    succeeded,
    failed,
    inFlight,
    waiting: inputs.length - succeeded - failed - inFlight,
    inDoubt,
    createdAt: meta.createdAt === undefined ? undefined : Number(meta.createdAt),
    inputs: reports,
    finished,
  };
}

/** Options of {@link followBatch}. */
export interface FollowOptions {
  redis: Redis;
  batchId: string;
  /** How often the journal is read (ms). Default 1000. */
  intervalMs?: number;
  /** Time source for the waits between reads and the report's duration. Default the system clock. */
  clock?: Clock;
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
}

/**
 * Waits until every input of a fleet batch has finished (succeeded, or failed with no attempt
 * left), reporting each as it finishes.
 *
 * @returns The batch's report.
 */
export async function followBatch(options: FollowOptions): Promise<BatchReport> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const seen = new Set<string>();
  let status = await fleetStatus(options.redis, options.batchId);
  const finished = (s: FleetStatus) => s.inputs.filter((input) => s.finished.has(input.key));
  for (const input of finished(status)) seen.add(input.key);
  const before = new Set(seen);
  options.onProgress?.({ type: "start", total: status.total, done: seen.size });
  while (status.succeeded + status.failed < status.total) {
    await clock.sleep(options.intervalMs ?? 1000, options.signal);
    status = await fleetStatus(options.redis, options.batchId);
    for (const input of finished(status)) {
      if (seen.has(input.key)) continue;
      seen.add(input.key);
      options.onProgress?.({ type: "input", report: input });
    }
  }
  const inputs = status.inputs.map((input) =>
    before.has(input.key) ? { ...input, earlierRun: true } : input,
  );
  return summarize(status.operation ?? "", options.batchId, inputs, clock.now() - startedAt);
}

/** Thrown to BullMQ so that it runs the input again later: its job was still running. */
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
  const worker = new Worker<FleetJobData, InputReport>(
    QUEUE_NAME,
    async (job: Job<FleetJobData>) => {
      const operation = operationNamed(job.data.operation);
      const journal = createRedisJournal(options.redis, job.data.batchId, operation.name);
      const { input } = job.data;
      // The input's report is held until this run's outcome is known: a job still running is not the end.
      let held: InputReport | undefined;
      const context: ProcessContext = {
        ...options.context,
        operation,
        journal,
        ...(job.data.outDir !== undefined && { outDir: job.data.outDir }),
        onProgress: (progress) => {
          if (progress.type === "input") held = progress.report;
          else onProgress?.(progress);
        },
      };
      const fail = async (error: string): Promise<InputReport> => {
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
        return fail(error.message.replace(/^\[@psapi\/batch\]\s*/, ""));
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
    },
    {
      connection: options.redis,
      concurrency: options.concurrency ?? 4,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 1000,
    },
  );
  worker.on("error", (error) => {
    if (warned) return;
    warned = true;
    options.logger?.warn?.("[@psapi/batch] worker lost Redis; it goes on once Redis is back", {
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
