import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

// The global set-up writes reference-assets/ (Redoc's bundle for /__emulator/docs), which `build`
// writes too, so that the tests do not depend on a build having run.
export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      globalSetup: ["./scripts/reference-assets.mjs"],
      // Files share one module graph per worker (nothing here is module-global state): loading
      // sharp, Hono and the compiled specs once per file was half of this suite's CPU time.
      isolate: false,
    },
  }),
);
