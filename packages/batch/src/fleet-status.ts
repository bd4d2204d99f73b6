import type { Redis } from "ioredis";
import { fleetKeys } from "./fleet-keys.js";
import type { InputState } from "./journal.js";
import type { InputReport } from "./runner.js";

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
  const k = fleetKeys(batchId);
  const [meta, inputs, states] = await Promise.all([
    redis.hgetall(k.meta),
    redis.hkeys(k.inputs),
    redis.hgetall(k.state),
  ]);
  return statusFrom(batchId, meta, inputs, new Map(Object.entries(states)));
}

/**
 * A batch's status from what was read of it: its meta hash, its input keys and each input's state
 * (JSON, as the journal holds it).
 */
export function statusFrom(
  batchId: string,
  meta: Readonly<Record<string, string>>,
  inputs: readonly string[],
  states: ReadonlyMap<string, string>,
): FleetStatus {
  let succeeded = 0;
  let failed = 0;
  let inFlight = 0;
  let inDoubt = 0;
  const reports: InputReport[] = [];
  const finished = new Set<string>();
  for (const key of [...inputs].sort()) {
    const text = states.get(key);
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
