import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      // The soak reads the heap after a full collection (globalThis.gc); harmless elsewhere.
      execArgv: ["--expose-gc"],
    },
  }),
);
