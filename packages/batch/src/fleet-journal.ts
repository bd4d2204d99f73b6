import type { Redis } from "ioredis";
import {
  batchKeyList,
  DEFAULT_RETENTION_MS,
  EXPIRE_BATCH,
  IDLE_BATCH_MS,
  LOG_MAX_LEN,
} from "./fleet-keys.js";
import { applyEvent, type BatchJournal, type InputState, type JournalEvent } from "./journal.js";

/**
 * Records one transition in one round trip: the input's state, the log entry (the stream capped at
 * about ARGV[4] entries), the set of finished inputs, then the batch's expiry.
 * ARGV: input key, state JSON, log entry JSON, log cap, finished (1/0), default retention, idle ms.
 */
const RECORD = `${EXPIRE_BATCH}
redis.call("HSET", KEYS[3], ARGV[1], ARGV[2])
redis.call("XADD", KEYS[4], "MAXLEN", "~", ARGV[4], "*", "event", ARGV[3])
if ARGV[5] == "1" then redis.call("SADD", KEYS[5], ARGV[1]) else redis.call("SREM", KEYS[5], ARGV[1]) end
expireBatch(ARGV[6], ARGV[7])
return 0`;

/** Whether an input's state is the end of it (succeeded, or failed with no attempt left). */
export const isFinished = (state: InputState | undefined): boolean =>
  state?.status === "succeeded" || (state?.status === "failed" && state.final === true);

/**
 * The fleet's journal in Redis: each input's state in a hash (`psapi:batch:<id>:state`), every
 * transition appended to a capped stream (`psapi:batch:<id>:log`) and the finished inputs in a set,
 * all in one script, which also sets the batch's expiry (its retention once every input has
 * finished). Redis must persist (AOF) for the journal to outlive a Redis restart; give it a
 * connection that waits out an outage ({@link createPatientRedis}), so a worker pauses rather than
 * fails while Redis is away.
 *
 * @param redis - The connection.
 * @param batchId - The batch.
 * @param operation - Its operation.
 */
export function createRedisJournal(redis: Redis, batchId: string, operation: string): BatchJournal {
  const keys = batchKeyList(batchId);
  const read = async (key: string): Promise<InputState | undefined> => {
    const text = await redis.hget(keys[2] as string, key);
    return text === null ? undefined : (JSON.parse(text) as InputState);
  };
  return {
    batchId,
    operation,
    state: read,
    async record(event: JournalEvent) {
      const t = Date.now();
      const next = applyEvent(await read(event.key), event, t);
      await redis.eval(
        RECORD,
        keys.length,
        ...keys,
        event.key,
        JSON.stringify(next),
        JSON.stringify({ ...event, t }),
        LOG_MAX_LEN,
        isFinished(next) ? 1 : 0,
        DEFAULT_RETENTION_MS,
        IDLE_BATCH_MS,
      );
    },
    async close() {},
  };
}
