import { isRecord } from "@psapi/core";
import type { AutoCropOutput, JobStatus } from "../types.js";

/**
 * The auto-crop result of a finished `autoCrop` status, wherever it sits: Adobe does not document
 * where (its reference types `result.outputs` as an object that fits it), and psapi's emulator
 * puts it in `result.additionalFields.autoCrop` beside one hosted image per ratio in
 * `result.outputs[]`. Both places are read; undefined when neither holds an object with a `crops`
 * list (a failed job, or a status of another operation). Untrusted input: check what you read.
 *
 * @param status - A status body, e.g. what `job.wait()` resolved with.
 * @example
 * const done = await (await autoCrop(client, { image: { source: { url } }, mode: "smartCrop" })).wait();
 * const box = autoCropResult(done)?.crops[0]?.boundingBoxes[0]; // { x, y, width, height, url }
 */
export function autoCropResult(status: JobStatus): AutoCropOutput | undefined {
  const result = (status as { result?: { outputs?: unknown; additionalFields?: { autoCrop?: unknown } } })
    .result;
  for (const found of [result?.outputs, result?.additionalFields?.autoCrop]) {
    if (isRecord(found) && Array.isArray(found.crops)) return found as AutoCropOutput;
  }
  return undefined;
}
