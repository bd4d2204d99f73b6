import type { Redis } from "ioredis";
import { fleetKeys } from "./fleet-keys.js";
import { applyEvent, type BatchJournal, type InputState, type JournalEvent } from "./journal.js";

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
  const k = fleetKeys(batchId);
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
