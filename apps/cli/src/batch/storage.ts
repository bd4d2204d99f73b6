import type { BatchStorage } from "@psapi/batch";
import type { Target } from "../target.js";

/** The target's emulator storage as the runner's {@link BatchStorage}; Adobe has none. */
export function storageOf(target: Target): BatchStorage | undefined {
  return target.storage?.keyed;
}
