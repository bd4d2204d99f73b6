import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { BatchError } from "./errors.js";
import { createRedisJournal } from "./fleet-journal.js";
import {
  batchKeyList,
  checkBatchId,
  DEFAULT_RETENTION_MS,
  EXPIRE_BATCH,
  type FleetJobData,
  fleetKeys,
  IDLE_BATCH_MS,
  QUEUE_NAME,
} from "./fleet-keys.js";
import { type BatchInput, inputDigest } from "./inputs.js";
import type { InputState } from "./journal.js";
import type { CompositeOperationOptions } from "./operations.js";

/** Options of {@link enqueueBatch}. */
export interface EnqueueOptions {
  /** A connection that waits out an outage ({@link createPatientRedis}). */
  redis: Redis;
  batchId: string;
  operation: string;
  inputs: readonly BatchInput[];
  outDir?: string;
  /**
   * With operation `composite`: the template batch's settings ({@link compositeOperation}'s
   * options), kept once in the batch's meta for every worker. Its `baseDir` must be a path the
   * workers can read (the same machine or a shared disk).
   */
  template?: CompositeOperationOptions;
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
  /**
   * How long the batch's keys stay in Redis once every input has finished (ms). Default 7 days
   * ({@link DEFAULT_RETENTION_MS}); the last enqueue of a batch sets it. Also the age after which the
   * queue drops its finished jobs.
   */
  retentionMs?: number;
  /** How many finished jobs (of each of completed and failed) the queue keeps at most. Default 1000. */
  keepJobs?: number;
  /** About how many entries the queue's events stream keeps. Default 1000. */
  eventsMaxLen?: number;
}

/** Sets the batch's expiry after an enqueue (KEYS as batchKeyList; ARGV: default retention, idle ms). */
const EXPIRE = `${EXPIRE_BATCH}
expireBatch(ARGV[1], ARGV[2])
return 0`;

/** Inputs written and read back per round trip. */
const CHUNK = 500;

/**
 * Checks a retention, keep or cap option.
 *
 * @throws BatchError `invalid-option` when it is not a positive whole number.
 */
function checkPositive(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
    throw new BatchError("invalid-option", `${name} must be a positive whole number, not ${value}`, {
      input: String(value),
    });
  }
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
  checkPositive("retentionMs", options.retentionMs);
  checkPositive("keepJobs", options.keepJobs);
  checkPositive("eventsMaxLen", options.eventsMaxLen);
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const k = fleetKeys(batchId);
  if ((operation === "composite") !== (options.template !== undefined)) {
    throw new BatchError(
      "invalid-option",
      operation === "composite"
        ? "a composite batch needs its template settings (template)"
        : `template goes with the composite operation, not ${operation}`,
      { input: batchId },
    );
  }
  const template = options.template === undefined ? undefined : JSON.stringify(options.template);
  const multi = redis
    .multi()
    .hsetnx(k.meta, "operation", operation)
    .hsetnx(k.meta, "createdAt", String(Date.now()))
    .hget(k.meta, "operation");
  if (template !== undefined) multi.hsetnx(k.meta, "template", template).hget(k.meta, "template");
  const [, , [, existing] = [], , [, existingTemplate] = []] = (await multi.exec()) ?? [];
  if (existing !== operation) {
    throw new BatchError("batch-mismatch", `batch ${batchId} is a ${existing} batch, not ${operation}`, {
      input: batchId,
    });
  }
  if (template !== undefined && existingTemplate !== template) {
    throw new BatchError(
      "batch-mismatch",
      `batch ${batchId} was queued with other template settings (edits, type or folder)`,
      { input: batchId },
    );
  }
  await redis.hset(k.meta, "retentionMs", String(retentionMs));
  const queue = new Queue<FleetJobData>(QUEUE_NAME, {
    connection: redis,
    streams: { events: { maxLen: options.eventsMaxLen ?? 1000 } },
  });
  try {
    const journal = createRedisJournal(redis, batchId, operation);
    let finished = 0;
    const jobs: { name: string; data: FleetJobData; opts: { jobId: string } }[] = [];
    // Each input is written and its state read back in one round trip per chunk of inputs.
    const states: (InputState | undefined)[] = [];
    const rounds: (string | undefined)[] = [];
    for (let i = 0; i < options.inputs.length; i += CHUNK) {
      const chunk = options.inputs.slice(i, i + CHUNK);
      const pipeline = redis.pipeline();
      for (const input of chunk) {
        pipeline.hsetnx(k.inputs, input.key, JSON.stringify(input));
        pipeline.hget(k.state, input.key);
        pipeline.hget(k.meta, `round:${input.key}`);
      }
      const results = (await pipeline.exec()) ?? [];
      for (let j = 0; j < chunk.length; j++) {
        const [stateError, stateText] = results[3 * j + 1] ?? [];
        const [roundError, round] = results[3 * j + 2] ?? [];
        if (stateError || roundError) throw stateError ?? roundError;
        states.push(typeof stateText === "string" ? (JSON.parse(stateText) as InputState) : undefined);
        rounds.push(typeof round === "string" ? round : undefined);
      }
    }
    for (const [index, input] of options.inputs.entries()) {
      const state = states[index];
      if (
        state?.status === "succeeded" ||
        (state?.status === "failed" && state.final && !options.retryFailed)
      ) {
        finished++;
        continue;
      }
      // A retried input needs a job id of its own: BullMQ keeps the id of a finished job. The id is
      // written down before the journal turns the failure into a retry, so an enqueuer killed between
      // that and the queue add queues the same retry on its next run, not the finished job's id.
      let round = rounds[index] ?? "";
      if (state?.status === "failed" && state.final) {
        round = `-r${state.attempts}`;
        await redis.hset(k.meta, `round:${input.key}`, round);
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
    await redis.eval(EXPIRE, 5, ...batchKeyList(batchId), retentionMs, IDLE_BATCH_MS);
    const keep = { age: Math.ceil(retentionMs / 1000), count: options.keepJobs ?? 1000 };
    for (let i = 0; i < jobs.length; i += CHUNK) {
      await queue.addBulk(
        jobs.slice(i, i + CHUNK).map((job) => ({
          ...job,
          opts: {
            ...job.opts,
            attempts: FLEET_ATTEMPTS,
            backoff: { type: "exponential", delay: options.retryDelayMs ?? 1000 },
            removeOnComplete: keep,
            removeOnFail: keep,
          },
        })),
      );
    }
    return { queued: jobs.length, finished };
  } finally {
    await queue.close();
  }
}
