// Waiting for a queued batch to finish, with its report.
import { type Clock, systemClock } from "@psapi/core";
import type { Redis } from "ioredis";
import { type FleetStatus, fleetStatus } from "./fleet-status.js";
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
