import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      // Files share one module graph per worker (nothing here is module-global state): loading
      // sharp, Hono and the compiled specs once per file was half of this suite's CPU time.
      isolate: false,
    },
  }),
);
