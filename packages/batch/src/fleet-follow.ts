// Waiting for a queued batch to finish, with its report.
import { type Clock, systemClock } from "@psapi/core";
import type { Redis } from "ioredis";
import { fleetKeys, LOG_MAX_LEN } from "./fleet-keys.js";
import { type FleetStatus, statusFrom } from "./fleet-status.js";
import { type BatchProgress, type BatchReport, summarize } from "./runner.js";

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
  const { redis, batchId } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const k = fleetKeys(batchId);
  const seen = new Set<string>();
  const finished = (s: FleetStatus) => s.inputs.filter((input) => s.finished.has(input.key));

  // What was read so far; each round reads only the log entries after `lastId` and the states of
  // the inputs they name. A new input, or a log trimmed past `lastId`, makes it read everything again.
  let meta: Record<string, string> = {};
  let inputs: string[] = [];
  const states = new Map<string, string>();
  let lastId = "0-0";
  const readAll = async () => {
    // The log's end first: what is written between the two reads is read again next round.
    const [last] = await redis.xrevrange(k.log, "+", "-", "COUNT", 1);
    lastId = last?.[0] ?? "0-0";
    const [m, i, s] = await Promise.all([
      redis.hgetall(k.meta),
      redis.hkeys(k.inputs),
      redis.hgetall(k.state),
    ]);
    meta = m;
    inputs = i;
    states.clear();
    for (const [key, value] of Object.entries(s)) states.set(key, value);
  };
  const readNew = async () => {
    const [[logError, entries] = [], [countError, count] = [], [firstError, first] = []] =
      (await redis
        .pipeline()
        .xrange(k.log, `(${lastId}`, "+", "COUNT", LOG_MAX_LEN)
        .hlen(k.inputs)
        .xrange(k.log, "-", "+", "COUNT", 1)
        .exec()) ?? [];
    if (logError || countError || firstError) throw logError ?? countError ?? firstError;
    const news = entries as [string, string[]][];
    const oldest = (first as [string, string[]][])[0]?.[0];
    if (count !== inputs.length || (lastId !== "0-0" && oldest !== undefined && laterId(oldest, lastId))) {
      return readAll();
    }
    if (news.length === 0) return;
    lastId = news[news.length - 1]?.[0] ?? lastId;
    const keys = [...new Set(news.map(([, fields]) => logKey(fields)).filter((key) => key !== undefined))];
    if (keys.length === 0) return;
    const values = await redis.hmget(k.state, ...keys);
    keys.forEach((key, index) => {
      const value = values[index];
      if (value !== null && value !== undefined) states.set(key, value);
    });
  };

  await readAll();
  let status = statusFrom(batchId, meta, inputs, states);
  for (const input of finished(status)) seen.add(input.key);
  const before = new Set(seen);
  options.onProgress?.({ type: "start", total: status.total, done: seen.size });
  while (status.succeeded + status.failed < status.total) {
    await clock.sleep(options.intervalMs ?? 1000, options.signal);
    await readNew();
    status = statusFrom(batchId, meta, inputs, states);
    for (const input of finished(status)) {
      if (seen.has(input.key)) continue;
      seen.add(input.key);
      options.onProgress?.({ type: "input", report: input });
    }
  }
  const reports = status.inputs.map((input) =>
    before.has(input.key) ? { ...input, earlierRun: true } : input,
  );
  return summarize(status.operation ?? "", batchId, reports, clock.now() - startedAt);
}

/** Whether stream id `a` comes after `b`. */
function laterId(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am > bm || (am === bm && as > bs);
}

/** The input a log entry is about (its `event` field holds the event as JSON). */
function logKey(fields: readonly string[]): string | undefined {
  const index = fields.indexOf("event");
  const text = index >= 0 ? fields[index + 1] : undefined;
  if (text === undefined) return undefined;
  try {
    const event = JSON.parse(text) as { key?: unknown };
    return typeof event.key === "string" ? event.key : undefined;
  } catch {
    return undefined;
  }
}

/** Thrown to BullMQ so that it runs the input again later: its job was still running. */
