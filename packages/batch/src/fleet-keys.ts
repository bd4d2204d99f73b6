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
  /** The keys of the inputs that have finished (succeeded, or failed with no attempt left). */
  finished: `psapi:batch:${batchId}:finished`,
});

/** Every key of a batch, in the order {@link EXPIRE_BATCH} takes them. */
export const batchKeyList = (batchId: string): string[] => {
  const k = fleetKeys(batchId);
  return [k.meta, k.inputs, k.state, k.log, k.finished];
};

/** How long a finished batch's keys stay in Redis by default (ms): 7 days. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * How long an unfinished batch's keys stay after its last write (ms), when that is longer than its
 * retention: a batch nobody runs any more does not stay for ever either.
 */
export const IDLE_BATCH_MS = 30 * 24 * 3600 * 1000;

/** The most entries a batch's log stream keeps (trimmed approximately, by whole stream nodes). */
export const LOG_MAX_LEN = 10_000;

/**
 * Sets the expiry of every key of a batch (KEYS as {@link batchKeyList}): its retention (`meta`
 * field `retentionMs`, else ARGV[1]) once every input has finished, else the longer of that and
 * ARGV[2], counted from now. Ends with the lines shared by the scripts that write a batch.
 */
export const EXPIRE_BATCH = `
local function expireBatch(defaultRetention, idle)
  local retention = tonumber(redis.call("HGET", KEYS[1], "retentionMs") or defaultRetention)
  local total = redis.call("HLEN", KEYS[2])
  local ttl = retention
  if total == 0 or redis.call("SCARD", KEYS[5]) < total then ttl = math.max(retention, idle) end
  for i = 1, 5 do
    if redis.call("EXISTS", KEYS[i]) == 1 then redis.call("PEXPIRE", KEYS[i], ttl) end
  end
end`;
