import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { BatchError } from "./errors.js";
import { createRedisJournal } from "./fleet-journal.js";
import { checkBatchId, type FleetJobData, fleetKeys, QUEUE_NAME } from "./fleet-keys.js";
import { type BatchInput, inputDigest } from "./inputs.js";

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
  const k = fleetKeys(batchId);
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
