import { BatchError } from "./errors.js";
import type { BatchInput } from "./inputs.js";

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
 * @throws BatchError `invalid-batch-id` (a TypeError) when it is not 1 to 64 letters, digits, `_`, `.` or `-`.
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

/** The Redis keys of one batch. */
export const fleetKeys = (batchId: string) => ({
  meta: `psapi:batch:${batchId}:meta`,
  inputs: `psapi:batch:${batchId}:inputs`,
  state: `psapi:batch:${batchId}:state`,
  log: `psapi:batch:${batchId}:log`,
});
