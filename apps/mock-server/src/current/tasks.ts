import type { EmulatorContext } from "../context.js";
import { reasonOf, ServiceError } from "../http/errors.js";
import { DocumentError } from "../imaging/composite/index.js";
import { ImageDecodeError } from "../imaging/index.js";
import type { CurrentJobResult, JobFailure, JobTask, TaskContext } from "../jobs/jobs.js";
import type { ErrorFamily } from "./family.js";
import { JobAbandoned } from "./hosted.js";

/**
 * The failure a status reports, per family: the v2 family's numeric `errorCode`s (`400401`
 * invalid value, `422404` unable to process outputs, `500600` internal error) and the masking
 * family's `error_code` strings (`processing_error`, `internal_error`). Messages never hold a URL.
 */
function failureOf(ctx: EmulatorContext, family: ErrorFamily, error: unknown): JobFailure {
  const v2 = family === "v2";
  if (error instanceof DocumentError) return { code: error.code, message: error.message };
  if (error instanceof ImageDecodeError) {
    return v2
      ? { code: "400401", message: `The input image could not be processed: ${error.message}` }
      : { code: "processing_error", message: `Failed to process image: ${error.message}` };
  }
  if (error instanceof ServiceError) {
    // An upload to the caller's URL failed.
    return {
      code: v2 ? "422404" : "processing_error",
      message: `Unable to write the output: ${reasonOf(error)}`,
    };
  }
  if (!(error instanceof JobAbandoned)) {
    try {
      ctx.logger?.error("[@psapi/mock-server] job failed unexpectedly", error);
    } catch {
      // A logger that throws must not leave the job running: the failure below is still reported.
    }
  }
  const message = error instanceof JobAbandoned ? error.message : "Internal error while running the job";
  return { code: v2 ? "500600" : "internal_error", message };
}

/**
 * Wraps the work of one current-contract job: its result fields on success, else the failure
 * in the family's words. The task it returns never rejects (the {@link JobTask} contract).
 */
export function familyTask(
  ctx: EmulatorContext,
  family: ErrorFamily,
  run: (context: TaskContext) => Promise<CurrentJobResult>,
): JobTask {
  return async (context) => {
    try {
      return { result: await run(context) };
    } catch (error) {
      return { failure: failureOf(ctx, family, error) };
    }
  };
}
