import type { BatchInput } from "@psapi/batch";
import { problemOf, usageError } from "../cli-error.js";

/** Expands `<inputs>`, turning the library's TypeError into a usage error. */
export async function expand(spec: string, cwd: string): Promise<BatchInput[]> {
  const { expandInputs } = await import("@psapi/batch");
  try {
    return await expandInputs(spec, cwd);
  } catch (error) {
    if (error instanceof TypeError) {
      throw usageError(
        problemOf(error) ?? error.message,
        "give a directory, a glob, or a .csv/.jsonl manifest",
      );
    }
    throw error;
  }
}
